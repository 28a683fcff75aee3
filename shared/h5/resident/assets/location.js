// Fills a form's location before it is sent: in WeChat through the JS-SDK's
// getLocation (the page is signed by GET /api/v1/wechat/jsconfig; the bridge is WeChat's
// own, no script is loaded from elsewhere), in other browsers through geolocation. The
// form (#locate) has either one field "near" (lat,lng) or two, "lat" and "lng".
(function () {
  var form = document.getElementById('locate');
  if (!form) return;
  var status = document.getElementById('locate-status');
  var button = document.getElementById('locate-button');
  function say(text) { if (status) status.textContent = text; }
  function done(lat, lng) {
    var near = form.elements.near;
    if (near) near.value = lat.toFixed(5) + ',' + lng.toFixed(5);
    if (form.elements.lat) { form.elements.lat.value = lat; form.elements.lng.value = lng; }
    form.submit();
  }
  function fail() {
    button.disabled = false;
    say('没能获取位置：请在手机设置里允许微信或浏览器使用位置，或按地区查看。');
  }
  function browser() {
    if (!navigator.geolocation) { fail(); return; }
    navigator.geolocation.getCurrentPosition(function (p) { done(p.coords.latitude, p.coords.longitude); }, fail,
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  }
  function wechat(bridge) {
    var url = location.href.split('#')[0];
    fetch('/api/v1/wechat/jsconfig?url=' + encodeURIComponent(url)).then(function (r) {
      if (!r.ok) throw new Error('jsconfig ' + r.status);
      return r.json();
    }).then(function (c) {
      bridge.invoke('preVerifyJSAPI', { appId: c.appId, verifyAppId: c.appId, verifySignType: 'sha1',
        verifyTimestamp: String(c.timestamp), verifyNonceStr: c.nonceStr, verifySignature: c.signature,
        verifyJsApiList: ['getLocation'] }, function () {
        bridge.invoke('geoLocation', { type: 'wgs84' }, function (res) {
          if (res && res.latitude) done(parseFloat(res.latitude), parseFloat(res.longitude));
          else browser();
        });
      });
    }).catch(browser);
  }
  form.addEventListener('submit', function (e) {
    var have = (form.elements.near && form.elements.near.value) || (form.elements.lat && form.elements.lat.value);
    if (have) return;
    e.preventDefault();
    button.disabled = true;
    say('正在获取位置……');
    if (window.WeixinJSBridge && /MicroMessenger/i.test(navigator.userAgent)) wechat(window.WeixinJSBridge);
    else browser();
  });
})();
