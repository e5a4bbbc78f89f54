/**
 * Class names of the real sets, so the app can show them before anything is downloaded. CIFAR-100's order is
 * the order of fine_label_names.txt / coarse_label_names.txt in the archive (label k = k-th name); DTD's is the
 * alphabetical order of its image folders, which is how the cache assigns labels.
 */

export const CIFAR100_FINE = (
  'apple aquarium_fish baby bear beaver bed bee beetle bicycle bottle bowl boy bridge bus butterfly camel can castle ' +
  'caterpillar cattle chair chimpanzee clock cloud cockroach couch crab crocodile cup dinosaur dolphin elephant ' +
  'flatfish forest fox girl hamster house kangaroo keyboard lamp lawn_mower leopard lion lizard lobster man maple_tree ' +
  'motorcycle mountain mouse mushroom oak_tree orange orchid otter palm_tree pear pickup_truck pine_tree plain plate ' +
  'poppy porcupine possum rabbit raccoon ray road rocket rose sea seal shark shrew skunk skyscraper snail snake spider ' +
  'squirrel streetcar sunflower sweet_pepper table tank telephone television tiger tractor train trout tulip turtle ' +
  'wardrobe whale willow_tree wolf woman worm'
).split(' ');

export const CIFAR100_COARSE = (
  'aquatic_mammals fish flowers food_containers fruit_and_vegetables household_electrical_devices ' +
  'household_furniture insects large_carnivores large_man-made_outdoor_things large_natural_outdoor_scenes ' +
  'large_omnivores_and_herbivores medium_mammals non-insect_invertebrates people reptiles small_mammals trees ' +
  'vehicles_1 vehicles_2'
).split(' ');

export const DTD_CLASSES = (
  'banded blotchy braided bubbly bumpy chequered cobwebbed cracked crosshatched crystalline dotted fibrous flecked ' +
  'freckled frilly gauzy grid grooved honeycombed interlaced knitted lacelike lined marbled matted meshed paisley ' +
  'perforated pitted pleated polka-dotted porous potholed scaly smeared spiralled sprinkled stained stratified ' +
  'striped studded swirly veined waffled woven wrinkled zigzagged'
).split(' ');

export const SVHN_CLASSES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

/** CIFAR-10's batches.meta.txt order. */
export const CIFAR10_CLASSES = [
  'airplane',
  'automobile',
  'bird',
  'cat',
  'deer',
  'dog',
  'frog',
  'horse',
  'ship',
  'truck',
];
