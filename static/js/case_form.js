/* Offer only the areas of the chosen station (the server checks it either way). */
(function () {
  var station = document.getElementById("id_station"), area = document.getElementById("id_area");
  if (!station || !area) return;
  function sync() {
    var chosen = station.selectedIndex > 0 ? station.options[station.selectedIndex].text : null;
    Array.prototype.forEach.call(area.getElementsByTagName("optgroup"), function (group) {
      var hide = chosen !== null && group.label !== chosen;
      group.hidden = hide;
      if (hide && area.selectedOptions[0] && area.selectedOptions[0].parentNode === group) area.value = "";
    });
  }
  station.addEventListener("change", sync);
  sync();
})();
