// Choices that outlive a page switch: which run each page shows.
export const ui = $state<{
  trainRunId: string | null;
  oodRunId: string | null;
  collapseRunId: string | null;
}>({
  trainRunId: null,
  oodRunId: null,
  collapseRunId: null,
});
