// Plain page code with no tracing in it: the script-tag SDK traces the clicks and fetches.
(function () {
  var api = document.currentScript.getAttribute('data-api');
  var status = document.getElementById('status');
  var list = document.getElementById('list');

  function show(items) {
    list.replaceChildren.apply(
      list,
      items.map(function (p) {
        var li = document.createElement('li');
        li.textContent = p.emoji + ' ' + p.name;
        return li;
      }),
    );
  }

  function call(path) {
    status.textContent = 'Loading…';
    status.classList.remove('error');
    return fetch(api + path)
      .then(function (res) {
        return res.json().then(function (body) {
          if (!res.ok) throw new Error(body.error || 'HTTP ' + res.status);
          return body;
        });
      })
      .then(function (body) {
        show(body.products);
        status.textContent = 'Loaded ' + body.products.length + ' products.';
      })
      .catch(function (err) {
        status.textContent = 'Failed: ' + err.message;
        status.classList.add('error');
      });
  }

  document.getElementById('load').addEventListener('click', function () {
    call('/api/products');
  });
  document.getElementById('flaky').addEventListener('click', function () {
    call('/api/recommendations');
  });
})();
