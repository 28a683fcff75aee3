// The pages' service worker. API Gateway answers a page whose route is throttled (429),
// or whose function is at its concurrency ceiling (a bare 5xx), with English JSON; in a
// browser that runs this worker such an answer to a page opened or a form posted is a
// Chinese page saying to try again in a moment. Everything else passes untouched, and
// nothing is cached.
self.addEventListener('install', function () { self.skipWaiting(); });
self.addEventListener('activate', function (e) { e.waitUntil(self.clients.claim()); });
self.addEventListener('fetch', function (e) {
  var req = e.request;
  if (req.mode !== 'navigate') return;
  e.respondWith(fetch(req).then(function (res) {
    var type = res.headers.get('Content-Type') || '';
    if (res.status === 429 || (res.status >= 500 && type.indexOf('text/html') < 0)) return busy(req, res.status);
    return res;
  }));
});

function esc(s) {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

function busy(req, status) {
  var next = req.method === 'GET'
    ? '<p>请稍等几秒后重新打开。</p><p><a class="btn" id="again" href="' + esc(req.url) + '">重新打开</a></p>'
    : '<p>刚才提交的内容还没有处理。请返回上一页，稍等几秒后再提交。</p>';
  var html = '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    '<title>当前访问人数较多 · 文化株洲</title><style>' +
    'body{margin:0;font:20px/1.6 system-ui,sans-serif;color:#1a1a1a;background:#fff}' +
    'main{max-width:40rem;margin:0 auto;padding:24px 16px}h1{font-size:26px;margin:0 0 16px}' +
    '.btn{display:inline-block;min-height:48px;min-width:48px;padding:10px 24px;box-sizing:border-box;' +
    'background:#8a1c14;color:#fff;border-radius:8px;text-decoration:none}' +
    '</style></head><body><main><h1>当前访问人数较多</h1>' + next + '</main></body></html>';
  return new Response(html, { status: status, headers: { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' } });
}
