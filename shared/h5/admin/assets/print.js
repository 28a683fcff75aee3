// The poster's 打印 button: the browser's print dialog, where it may also be saved as PDF.
(function () {
  'use strict';
  var b = document.getElementById('print');
  if (!b || !window.print) return;
  b.hidden = false;
  b.addEventListener('click', function () { window.print(); });
})();
