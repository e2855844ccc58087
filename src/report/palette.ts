// Colours shared by the page's CSS and its charts. Credit and blame are a teal and a red that stay
// apart for the common colour-vision deficiencies; stage colours avoid both.

export const COLOURS = {
  credit: '#1b9e77',
  creditPale: 'rgba(27, 158, 119, 0.22)',
  blame: '#d1495b',
  blamePale: 'rgba(209, 73, 91, 0.22)',
  neutral: '#6b7785',
  neutralPale: 'rgba(107, 119, 133, 0.22)',
  ink: '#1f2328',
  muted: '#5b6370',
  line: '#e3e6ea',
} as const;

const STAGE_COLOURS = ['#4e79a7', '#f28e2b', '#9467bd', '#e0b400', '#8c564b', '#17becf', '#e377c2', '#7f7f7f', '#bcbd22', '#393b79'];

export function stageColour(k: number): string {
  return STAGE_COLOURS[k % STAGE_COLOURS.length];
}
