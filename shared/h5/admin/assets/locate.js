// 放映核验: fills the form's coordinates from the phone's position when the browser may
// read it; typing them works without this script.
(function () {
  'use strict';
  var button = document.getElementById('locate');
  if (!button || !navigator.geolocation) return;
  button.hidden = false;
  button.addEventListener('click', function () {
    button.textContent = '正在定位……';
    navigator.geolocation.getCurrentPosition(function (p) {
      document.getElementById('lat').value = p.coords.latitude.toFixed(6);
      document.getElementById('lng').value = p.coords.longitude.toFixed(6);
      button.textContent = '已取当前位置';
    }, function () {
      button.textContent = '无法定位，请手动填写';
    }, { enableHighAccuracy: true, timeout: 15000 });
  });
})();
