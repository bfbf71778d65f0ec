"""The Jinja2 template of the HTML report (kept in code so it ships as a module).

Rendered with autoescaping on: every value from a registry (titles, criteria,
ids, messages) is escaped; only the inlined JavaScript bundle and the chart
specifications are marked safe, and those are escaped for a ``<script>``
element by :func:`eligo.audit.report.script_json` / ``script_text``.
"""

# ruff: noqa: E501 (HTML lines are kept whole)
from __future__ import annotations

TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; img-src data:">
<title>eligo audit: {{ scope }}</title>
<style>
body { font: 14px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 70em; color: #222; padding: 0 1em; }
h1 { font-size: 1.6em; } h2 { margin-top: 2em; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; margin: .5em 0; }
td, th { border: 1px solid #ddd; padding: .2em .6em; text-align: left; vertical-align: top; }
th { background: #f4f4f4; }
.num { text-align: right; font-variant-numeric: tabular-nums; }
.finding { border-left: 4px solid #999; margin: .8em 0; padding: .3em .8em; background: #fafafa; }
.finding.error { border-color: #c0392b; } .finding.warning { border-color: #e67e22; } .finding.info { border-color: #2980b9; }
.crit { white-space: pre-wrap; font-family: ui-monospace, monospace; font-size: 12.5px; background: #fff; border: 1px solid #eee; padding: .3em; margin: .3em 0; }
mark { background: #ffe066; }
.sev { font-weight: bold; text-transform: uppercase; font-size: 11px; }
.muted { color: #777; }
.chart { margin: 1em 0; min-height: 60px; }
</style>
</head>
<body>
<h1>eligo audit</h1>
<p>{{ trials }} trials ({{ scope }}); {{ total }} findings; eligo {{ version }}; {{ "%.1f"|format(seconds) }} s.</p>

<h2 id="summary">Summary</h2>
<table>
<tr><th>kind</th><th>severity</th><th class="num">findings</th><th>meaning</th></tr>
{% for row in counts %}
<tr><td><a href="#kind-{{ row.kind }}">{{ row.kind }}</a></td><td>{{ row.severity }}</td><td class="num">{{ row.count }}</td><td>{{ row.meaning }}</td></tr>
{% endfor %}
</table>

<h3>Criteria that are not computable (top trials by share)</h3>
<p>Mean share over all audited trials: {{ "%.1f"|format(nc_mean * 100) }}%.</p>
<table>
<tr><th>trial</th><th class="num">share</th></tr>
{% for tid, share in nc_top %}
<tr><td>{{ tid }}</td><td class="num">{{ "%.0f"|format(share * 100) }}%</td></tr>
{% endfor %}
</table>

<h2 id="distributions">Cross-trial distributions</h2>
{% if charts %}
{% for chart in charts %}
<div class="chart" id="chart-{{ loop.index0 }}" data-chart="{{ loop.index0 }}"></div>
{% endfor %}
{% else %}
<p class="muted">No group has enough trials for a distribution.</p>
{% endif %}
<table>
<tr><th>family</th><th>group</th><th>unit</th><th class="num">trials</th><th class="num">min</th><th class="num">q1</th><th class="num">median</th><th class="num">q3</th><th class="num">max</th><th class="num">outliers</th></tr>
{% for d in distributions %}
<tr><td>{{ d.family }}</td><td>{{ d.name }}</td><td>{{ d.unit }}</td><td class="num">{{ d.trials }}</td><td class="num">{{ "%g"|format(d.min) }}</td><td class="num">{{ "%g"|format(d.q1) }}</td><td class="num">{{ "%g"|format(d.median) }}</td><td class="num">{{ "%g"|format(d.q3) }}</td><td class="num">{{ "%g"|format(d.max) }}</td><td class="num">{{ d.outliers }}</td></tr>
{% endfor %}
</table>

<h3>Units per analyte</h3>
<table>
<tr><th>analyte</th><th>units written (trials)</th></tr>
{% for analyte, units in units %}
<tr><td>{{ analyte }}</td><td>{% for u, n in units %}{{ u }} ({{ n }}){% if not loop.last %}, {% endif %}{% endfor %}</td></tr>
{% endfor %}
</table>

<h3>Common criteria</h3>
<table>
<tr><th>signature</th><th class="num">trials</th><th class="num">share</th></tr>
{% for s in common %}
<tr><td>{{ s.signature }}</td><td class="num">{{ s.trials }}</td><td class="num">{{ "%.0f"|format(s.share * 100) }}%</td></tr>
{% endfor %}
</table>
<table>
<tr><th>criterion text (normalised)</th><th class="num">trials</th></tr>
{% for t in common_texts %}
<tr><td>{{ t.text }}</td><td class="num">{{ t.trials }}</td></tr>
{% endfor %}
</table>

<h2 id="findings">Findings by kind</h2>
{% for group in groups %}
<h3 id="kind-{{ group.kind }}">{{ group.kind }} ({{ group.count }})</h3>
<p class="muted">{{ group.meaning }}{% if group.hidden %} Showing {{ group.entries|length }}; all {{ group.count }} are in the JSON and CSV files.{% endif %}</p>
{% for f in group.entries %}
<div class="finding {{ f.severity }}">
<div><span class="sev">{{ f.severity }}</span> <b>{{ f.trial_id }}</b>{% if f.title %} <span class="muted">{{ f.title }}</span>{% endif %}{% if f.where %} · {{ f.where }}{% endif %}</div>
<div>{{ f.message }}</div>
{% if f.pieces %}<div class="crit">{{ f.pieces[0] }}<mark>{{ f.pieces[1] }}</mark>{{ f.pieces[2] }}</div>{% endif %}
{% for r in f.related %}<div class="muted">related, {{ r.where }}:</div><div class="crit">{{ r.pieces[0] }}<mark>{{ r.pieces[1] }}</mark>{{ r.pieces[2] }}</div>{% endfor %}
</div>
{% endfor %}
{% endfor %}

<script type="application/json" id="eligo-charts">{{ charts_json }}</script>
<script>{{ bundle }}</script>
<script>
(function () {
  var specs = JSON.parse(document.getElementById("eligo-charts").textContent);
  window.__eligoCharts = {done: 0, failed: 0, total: specs.length};
  specs.forEach(function (spec, i) {
    var el = document.getElementById("chart-" + i);
    window.vegaEmbed(el, spec, {renderer: "svg", actions: false}).then(function () {
      window.__eligoCharts.done += 1;
    }).catch(function (err) {
      window.__eligoCharts.failed += 1;
      el.textContent = "chart failed: " + err;
    });
  });
})();
</script>
</body>
</html>
"""
