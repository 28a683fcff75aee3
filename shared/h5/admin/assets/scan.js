// 检票: sends each scan without leaving the page and shows the answer full-screen.
// A scan is sent with its key; when the connection drops it is sent again with the
// same key, which the server answers as the first time (never a second admission).
// The camera is offered where the browser reads QR codes (BarcodeDetector), WeChat's
// scanner inside WeChat (through WeixinJSBridge, signed by /api/v1/wechat/jsconfig);
// typing the ticket or the booking code always works, with or without this script.
(function () {
  'use strict';
  var form = document.getElementById('scan');
  if (!form || !window.fetch || !window.DOMParser) return;
  var field = document.getElementById('ticket');
  var slot = document.getElementById('answer-slot');
  var busy = false;

  function show(node) {
    slot.replaceChildren(node);
    var next = node.querySelector('#next');
    if (next) {
      next.addEventListener('click', function (e) { e.preventDefault(); dismiss(); });
      next.focus();
    }
  }
  function dismiss() {
    slot.replaceChildren();
    field.value = '';
    field.focus();
    resumeCamera();
  }
  // A screen of our own, for what the server did not answer.
  function local(verdict, detail, retry) {
    var s = document.createElement('section');
    s.id = 'answer';
    s.className = 'answer net';
    s.setAttribute('role', 'alert');
    var v = document.createElement('p');
    v.className = 'verdict';
    v.setAttribute('data-display', '');
    v.textContent = verdict;
    var d = document.createElement('p');
    d.className = 'detail';
    d.textContent = detail;
    s.append(v, d);
    if (retry) {
      var again = document.createElement('button');
      again.type = 'button';
      again.className = 'btn';
      again.textContent = '重试这张票';
      again.addEventListener('click', retry);
      s.append(again);
    }
    var next = document.createElement('a');
    next.className = 'btn';
    next.id = 'next';
    next.href = location.pathname + location.search;
    next.textContent = retry ? '放弃，检下一张' : '继续检票';
    s.append(next);
    return s;
  }

  var waits = [500, 1000, 2000, 4000]; // then give up and say so
  var throttled = false; // the last try was refused by the gateway's throttle
  function send(body, attempt) {
    busy = true;
    throttled = false;
    if (attempt > 0) show(local('网络不稳', '正在第 ' + attempt + ' 次重试，请稍候……'));
    fetch(form.action, {
      method: 'POST', body: body, credentials: 'same-origin',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Accept': 'text/html' }
    }).then(function (res) {
      // API Gateway's own answers (a throttle's 429, a bare 5xx in JSON) and a gateway
      // error are not the platform's: this ticket was not checked, so try again.
      var type = res.headers.get('Content-Type') || '';
      if (res.status === 429 || (res.status >= 500 && type.indexOf('text/html') < 0) || (res.status >= 502 && res.status <= 504)) {
        throttled = res.status === 429 || res.status === 500;
        throw new Error('gateway ' + res.status);
      }
      return res.text().then(function (html) {
        busy = false;
        var doc = new DOMParser().parseFromString(html, 'text/html');
        var key = doc.querySelector('#scan input[name=key]');
        if (key) form.elements.key.value = key.value; // the next scan's key
        var answer = doc.getElementById('answer');
        if (answer) { show(document.importNode(answer, true)); return; }
        var why = doc.querySelector('main .notice');
        show(local('无法核验', why ? why.textContent : '请刷新页面后再试。'));
      });
    }).catch(function () {
      if (attempt < waits.length) {
        setTimeout(function () { send(body, attempt + 1); }, waits[attempt]);
        return;
      }
      busy = false;
      if (throttled) show(local('访问人数较多', '这张票还没有核验。请稍等几秒后点「重试」，不会重复入场。', function () { send(body, 1); }));
      else show(local('网络中断', '这张票还没有核验。恢复网络后点「重试」，不会重复入场。', function () { send(body, 1); }));
    });
  }
  function submit() {
    if (busy || !field.value.trim()) return;
    pauseCamera();
    send(new URLSearchParams(new FormData(form)).toString(), 0);
  }
  form.addEventListener('submit', function (e) { e.preventDefault(); submit(); });
  document.getElementById('slot').addEventListener('change', function () {
    history.replaceState(null, '', location.pathname + (this.value ? '?slot=' + encodeURIComponent(this.value) : ''));
  });
  var first = slot.querySelector('#answer');
  if (first) show(first);
  function scanned(text) {
    if (!text) return;
    field.value = text.trim();
    submit();
  }

  // The camera, where the browser reads QR codes.
  var camera = document.getElementById('camera');
  var finder = document.getElementById('viewfinder');
  var video = document.getElementById('video');
  var stream = null, detector = null, timer = null, last = '', lastAt = 0;
  function pauseCamera() { if (timer) { clearInterval(timer); timer = null; } }
  function resumeCamera() { if (stream && !timer) timer = setInterval(look, 300); }
  function look() {
    if (busy || slot.firstChild) return;
    detector.detect(video).then(function (codes) {
      if (!codes.length) return;
      var text = codes[0].rawValue, now = Date.now();
      if (text === last && now - lastAt < 4000) return; // the same ticket still in view
      last = text; lastAt = now;
      scanned(text);
    }).catch(function () {});
  }
  function stopCamera() {
    pauseCamera();
    if (stream) stream.getTracks().forEach(function (t) { t.stop(); });
    stream = null;
    finder.hidden = true;
    camera.hidden = false;
  }
  if ('BarcodeDetector' in window && navigator.mediaDevices && navigator.mediaDevices.getUserMedia) {
    window.BarcodeDetector.getSupportedFormats().then(function (formats) {
      if (formats.indexOf('qr_code') < 0) return;
      detector = new window.BarcodeDetector({ formats: ['qr_code'] });
      camera.hidden = false;
    }).catch(function () {});
    camera.addEventListener('click', function () {
      navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false }).then(function (s) {
        stream = s;
        video.srcObject = s;
        video.play();
        finder.hidden = false;
        camera.hidden = true;
        resumeCamera();
      }).catch(function () {
        document.getElementById('camera-state').textContent = '无法打开摄像头，请允许使用摄像头，或直接输入。';
        finder.hidden = false;
      });
    });
    document.getElementById('camera-stop').addEventListener('click', stopCamera);
  }

  // WeChat's own scanner, in WeChat's browser.
  var wxButton = document.getElementById('wx-scan');
  if (/MicroMessenger/i.test(navigator.userAgent)) {
    var signed = null;
    var params = function (extra) {
      var p = { appId: signed.appId, verifyAppId: signed.appId, verifySignType: 'sha1', verifyTimestamp: String(signed.timestamp),
        verifyNonceStr: signed.nonceStr, verifySignature: signed.signature };
      for (var k in extra) p[k] = extra[k];
      return p;
    };
    var ready = function (fn) {
      if (window.WeixinJSBridge) fn();
      else document.addEventListener('WeixinJSBridgeReady', fn, false);
    };
    fetch('/api/v1/wechat/jsconfig?url=' + encodeURIComponent(location.href.split('#')[0]), { credentials: 'same-origin' })
      .then(function (res) { return res.ok ? res.json() : Promise.reject(res.status); })
      .then(function (cfg) {
        signed = cfg;
        ready(function () {
          window.WeixinJSBridge.invoke('preVerifyJSAPI', params({ verifyJsApiList: ['scanQRCode'] }), function (res) {
            if (/:ok$/.test(res.err_msg || res.errMsg || '')) wxButton.hidden = false;
          });
        });
      }).catch(function () {});
    wxButton.addEventListener('click', function () {
      window.WeixinJSBridge.invoke('scanQRCode', params({ needResult: 1, scanType: ['qrCode'] }), function (res) {
        var text = res.resultStr || '';
        if (text.charAt(0) === '{') { // iOS wraps the result
          try { text = JSON.parse(text).scan_code.scan_result; } catch (e) { text = ''; }
        }
        scanned(text);
      });
    });
  }
})();
