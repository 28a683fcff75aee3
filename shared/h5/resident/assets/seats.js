// The seat map: keeps as many seats chosen as the party has people (choosing one more
// lets go of the earliest chosen), and says which are chosen.
(function () {
  var map = document.querySelector('.seatmap');
  if (!map) return;
  var party = parseInt(map.getAttribute('data-party'), 10) || 1;
  var count = document.getElementById('seat-count');
  var order = [];
  map.querySelectorAll('input:checked').forEach(function (el) { order.push(el); });
  function show() {
    // The chosen seats' style is a class, not :has(), which older in-app browsers lack.
    map.querySelectorAll('.seat').forEach(function (seat) {
      seat.classList.toggle('chosen', order.indexOf(seat.querySelector('input')) >= 0);
    });
    var names = order.map(function (el) { return el.value; });
    count.textContent = '已选 ' + names.length + ' 个座位' + (names.length ? '：' + names.join(' ') : '') +
      (names.length < party ? '，还需选 ' + (party - names.length) + ' 个' : '');
  }
  map.addEventListener('change', function (e) {
    var el = e.target;
    if (el.checked) {
      order.push(el);
      while (order.length > party) order.shift().checked = false;
    } else {
      order = order.filter(function (o) { return o !== el; });
    }
    show();
  });
  show();
  // A wide hall scrolls sideways (in 长辈版 half of it is out of sight): bring the
  // chosen seats into the middle of the view.
  if (order.length) {
    var seat = order[0].parentNode.getBoundingClientRect(), view = map.getBoundingClientRect();
    map.scrollLeft += seat.left + seat.width / 2 - (view.left + view.width / 2);
  }
})();
