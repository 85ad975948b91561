// Apache ECharts, loaded on first use from /vendor/echarts.min.js (the npm
// package's build, embedded into the binary by the Makefile). Charts render
// as SVG: crisp at any zoom, and the numbers stay selectable in tests.
import { h } from './dom.js';
import { t } from './i18n.js';

let loading = null;

export function loadECharts() {
  if (window.echarts) return Promise.resolve(window.echarts);
  if (!loading) {
    loading = new Promise((resolve, reject) => {
      const s = document.createElement('script');
      s.src = '/vendor/echarts.min.js';
      s.async = true;
      s.onload = () => (window.echarts ? resolve(window.echarts) : reject(new Error(t('tk.chart_failed'))));
      s.onerror = () => {
        loading = null;
        s.remove();
        reject(new Error(t('tk.chart_failed')));
      };
      document.head.append(s);
    });
  }
  return loading;
}

// The colours of the rest of the UI (Ant Design's palette).
export const PALETTE = ['#1677ff', '#52c41a', '#fa8c16', '#ff4d4f', '#722ed1', '#13c2c2', '#eb2f96', '#faad14', '#2f54eb', '#a0d911'];

/**
 * A chart in a box: chartBox(option, {height}) → element; the chart is made
 * once ECharts has loaded and the box is in the page, resizes with the
 * window, and is disposed of when the box leaves the page.
 */
export function chartBox(option, { height = 300, label = '' } = {}) {
  const el = h('div', { class: 'echart', role: 'img', 'aria-label': label, style: { height: `${height}px` } });
  const wrap = h('div', { class: 'echart-wrap' }, el);
  loadECharts().then((echarts) => {
    const start = () => {
      if (!el.isConnected) { requestAnimationFrame(start); return; }
      const chart = echarts.init(el, null, { renderer: 'svg', locale: 'ZH' });
      chart.setOption({ color: PALETTE, textStyle: { fontFamily: 'inherit' }, animation: false, ...option });
      wrap.dataset.ready = '1';
      const onResize = () => {
        if (!el.isConnected) {
          window.removeEventListener('resize', onResize);
          chart.dispose();
          return;
        }
        chart.resize();
      };
      window.addEventListener('resize', onResize);
      // Pages replace their content without telling: let go of charts that left.
      const watch = setInterval(() => {
        if (!el.isConnected) {
          clearInterval(watch);
          window.removeEventListener('resize', onResize);
          chart.dispose();
        }
      }, 5000);
    };
    start();
  }, (err) => {
    wrap.replaceChildren(h('div', { class: 'muted empty-small', role: 'alert', text: err.message }));
  });
  return wrap;
}
