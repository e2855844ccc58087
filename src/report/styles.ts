import { COLOURS } from './palette.js';

// The page's stylesheet: one readable column, system fonts (nothing to download), tables with
// tabular figures, charts that follow the column's width.

export const STYLES = `
:root {
  --credit: ${COLOURS.credit}; --credit-pale: ${COLOURS.creditPale};
  --blame: ${COLOURS.blame}; --blame-pale: ${COLOURS.blamePale};
  --neutral: ${COLOURS.neutral};
  --ink: ${COLOURS.ink}; --muted: ${COLOURS.muted}; --line: ${COLOURS.line};
  --panel: #f6f7f9; --accent: #4e79a7;
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body {
  margin: 0; color: var(--ink); background: #fff;
  font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", "Liberation Sans", Arial, sans-serif;
}
main { max-width: 1000px; margin: 0 auto; padding: 48px 28px 72px; }
header .eyebrow { text-transform: uppercase; letter-spacing: .08em; font-size: .75rem; color: var(--muted); font-weight: 600; }
h1 { font-size: 2rem; line-height: 1.2; margin: .2rem 0 .4rem; letter-spacing: -.015em; word-break: break-word; }
h2 { font-size: 1.3rem; margin: 0 0 .35rem; letter-spacing: -.01em; }
h3 { font-size: 1rem; margin: 0 0 .4rem; }
p { margin: .4rem 0 .8rem; }
.description { color: var(--muted); font-size: 1.05rem; max-width: 75ch; }
section { margin-top: 56px; }
section > .intro { color: var(--muted); max-width: 75ch; margin-bottom: 18px; }
code { font: .88em/1.4 ui-monospace, "SFMono-Regular", "DejaVu Sans Mono", Menlo, monospace; background: var(--panel); padding: .1em .35em; border-radius: 4px; }
.headline {
  margin: 28px 0 18px; padding: 20px 24px; border-radius: 10px; background: var(--panel);
  border-left: 5px solid var(--blame);
}
.headline.credit-only { border-left-color: var(--credit); }
.headline.disputed { border-left-color: var(--neutral); border-left-style: dashed; }
.headline p.summary { font-size: 1.25rem; line-height: 1.45; margin: 0; }
.headline strong.blame { color: var(--blame); }
.headline strong.credit { color: var(--credit); }
.headline .basis { color: var(--muted); font-size: .9rem; margin: .7rem 0 0; }
.reading { display: grid; grid-template-columns: 1fr 1fr; gap: 14px 28px; font-size: .92rem; color: var(--muted); }
.reading p { margin: 0; }
.reading details { grid-column: 1 / -1; }
.legend { display: flex; flex-wrap: wrap; gap: 6px 18px; align-items: center; font-size: .88rem; color: var(--muted); margin: 8px 0 4px; }
.swatch { display: inline-block; width: 14px; height: 14px; border-radius: 3px; vertical-align: -2px; margin-right: 6px; }
.swatch.credit { background: var(--credit); } .swatch.blame { background: var(--blame); }
.swatch.pale { background: #fff; border: 2px solid var(--neutral); }
.swatch.stage { border-radius: 50%; width: 10px; height: 10px; vertical-align: 0; }
.timeline { margin-top: 12px; }
.track { display: flex; height: 46px; border-radius: 8px; overflow: hidden; gap: 2px; background: #fff; }
.track .seg { color: #fff; display: flex; align-items: center; padding: 0 10px; min-width: 0; font-weight: 600; font-size: .85rem; }
.track .seg span { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.ticks { position: relative; height: 20px; font-size: .75rem; color: var(--muted); font-variant-numeric: tabular-nums; }
.ticks span { position: absolute; top: 3px; transform: translateX(-50%); white-space: nowrap; }
.ticks span:first-child { transform: none; } .ticks span:last-child { transform: translateX(-100%); }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(210px, 1fr)); gap: 14px; margin-top: 16px; }
.card { border: 1px solid var(--line); border-radius: 10px; padding: 14px 16px; border-top: 4px solid var(--accent); background: #fff; }
.card h3 { word-break: break-word; }
.card .desc { color: var(--muted); font-size: .9rem; margin: 0 0 .5rem; }
.card dl { display: grid; grid-template-columns: auto 1fr; gap: 2px 10px; margin: 0; font-size: .85rem; }
.card dt { color: var(--muted); } .card dd { margin: 0; word-break: break-word; }
.card .acc { font-size: 1.45rem; font-weight: 650; font-variant-numeric: tabular-nums; margin-top: 8px; }
.card .acc small { display: block; font-size: .78rem; font-weight: 400; color: var(--muted); }
.chart { position: relative; height: 300px; width: 100%; }
.chart.small { height: 250px; }
.kpis + .chart { margin-top: 18px; }
.scatters { display: grid; grid-template-columns: repeat(auto-fill, minmax(300px, 1fr)); gap: 18px; }
.scatter { border: 1px solid var(--line); border-radius: 10px; padding: 12px 14px 10px; }
.scatter h3 { font-size: .95rem; }
.scatter h3 { margin: 0; }
.scatter .rung { color: var(--muted); font-size: .78rem; margin: 0 0 6px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.stats { list-style: none; padding: 0; margin: 6px 0 0; font-size: .8rem; color: var(--muted); font-variant-numeric: tabular-nums; }
.stats li { display: flex; gap: 8px; align-items: baseline; }
.stats .name { flex: 1; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.table-wrap { overflow-x: auto; margin: 14px 0; }
table { border-collapse: collapse; width: 100%; font-size: .88rem; font-variant-numeric: tabular-nums; }
caption { caption-side: top; text-align: left; color: var(--muted); font-size: .85rem; padding-bottom: 6px; }
th, td { padding: 7px 10px; border-bottom: 1px solid var(--line); text-align: right; vertical-align: top; }
th { font-weight: 600; color: var(--muted); font-size: .78rem; text-transform: uppercase; letter-spacing: .04em; border-bottom: 2px solid var(--line); }
th:first-child, td:first-child { text-align: left; }
td.name { font-weight: 600; overflow-wrap: break-word; }
td.id { white-space: nowrap; }
td.left, th.left { text-align: left; }
td small { color: var(--muted); }
tr.chosen td { background: #f3f7fb; }
.pos { color: var(--blame); } .neg { color: var(--credit); }
.good { color: var(--credit); } .bad { color: var(--blame); }
.note { color: var(--muted); font-size: .9rem; background: var(--panel); border-radius: 8px; padding: 10px 14px; }
.examples { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: 12px; }
.examples.wide { grid-template-columns: repeat(auto-fill, minmax(260px, 1fr)); }
.example { border: 1px solid var(--line); border-radius: 10px; padding: 10px; font-size: .82rem; display: flex; flex-direction: column; gap: 6px; }
.example img { width: 100%; max-width: 112px; height: auto; align-self: center; image-rendering: pixelated; border-radius: 4px; background: #000; }
.example .text { font-size: .8rem; line-height: 1.4; max-height: 9.8em; overflow: auto; white-space: pre-wrap; word-break: break-word; background: var(--panel); border-radius: 6px; padding: 6px 8px; }
.example .contribution { font-size: 1rem; font-weight: 650; font-variant-numeric: tabular-nums; }
.example .meta { color: var(--muted); line-height: 1.45; word-break: break-word; }
.kpis { display: grid; grid-template-columns: repeat(auto-fit, minmax(200px, 1fr)); gap: 14px; margin: 10px 0 6px; }
.kpi { border: 1px solid var(--line); border-radius: 10px; padding: 12px 16px; }
.kpi .label { color: var(--muted); font-size: .8rem; text-transform: uppercase; letter-spacing: .04em; }
.kpi .value { font-size: 1.5rem; font-weight: 650; font-variant-numeric: tabular-nums; }
.kpi .delta { font-size: .9rem; margin-left: 6px; }
.verdict { font-weight: 600; }
td.how { white-space: nowrap; color: var(--muted); }
th { overflow-wrap: anywhere; }
footer { margin-top: 64px; padding-top: 16px; border-top: 1px solid var(--line); color: var(--muted); font-size: .8rem; }
/* Narrow windows (800 px and less): tables fit the column instead of hiding their last column. */
@media (max-width: 900px) {
  table { font-size: .8rem; }
  th, td { padding: 6px 5px; }
  th { letter-spacing: 0; text-transform: none; font-size: .74rem; }
  td.id, td.how { white-space: normal; overflow-wrap: anywhere; }
}
@media (max-width: 640px) {
  main { padding: 28px 16px 48px; }
  .reading { grid-template-columns: 1fr; }
  h1 { font-size: 1.6rem; }
}
@media print {
  main { max-width: none; padding: 0; }
  section { break-inside: avoid; }
}
`;
