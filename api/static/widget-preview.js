// /widgets/{key}/preview: open the widget as soon as widget.js has loaded, so the owner sees the chat at once.
const started = Date.now();
(function openWhenReady() {
  if (window.TopAdvisor) window.TopAdvisor.open();
  else if (Date.now() - started < 10_000) setTimeout(openWhenReady, 100);
})();
