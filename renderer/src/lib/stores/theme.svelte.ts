// The colour scheme follows the system; charts read it so their builders can pick matching colours.
const media = typeof matchMedia === 'function' ? matchMedia('(prefers-color-scheme: dark)') : null;

export const theme = $state<{ mode: 'light' | 'dark' }>({ mode: media?.matches ? 'dark' : 'light' });

media?.addEventListener('change', (e) => (theme.mode = e.matches ? 'dark' : 'light'));
