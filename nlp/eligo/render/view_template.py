"""The Jinja2 template of the HTML view (kept in code so it ships as a module).

Rendered by :func:`eligo.render.document.render_html` with autoescaping on:
every value from a document (ids, titles, criteria, labels) is escaped; the
only markup passed in is the highlighted criterion text, which
:func:`eligo.render.document.highlight` escapes itself. No script, no remote
resource.
"""

# ruff: noqa: E501 (HTML lines are kept whole)
from __future__ import annotations

TEMPLATE = """{% macro logic_node(node) %}
<li><span class="op">{{ node.op }}</span>
<ul class="logic">
{% for child in node.children %}
{% if child.op %}{{ logic_node(child) }}{% else %}<li>{{ child.text }}</li>{% endif %}
{% endfor %}
</ul></li>
{% endmacro -%}
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'">
<title>eligo: {{ title }}</title>
<style>
body { font: 14px/1.5 system-ui, sans-serif; margin: 1.5em auto; max-width: 76em; color: #222; padding: 0 1em; }
h1 { font-size: 1.5em; margin-bottom: .2em; } h2 { margin-top: 1.6em; border-bottom: 1px solid #ccc; }
.muted { color: #777; } .error { color: #a00; font-weight: bold; }
ol.criteria { padding-left: 2.5em; }
li.crit { margin: .6em 0; padding: .3em .6em; border-left: 4px solid #bbb; background: #fcfcfc; }
li.sec-inclusion { border-color: #2e8b57; } li.sec-exclusion { border-color: #c0392b; } li.sec-unknown { border-color: #d4a017; }
.badge { display: inline-block; font-size: 11px; font-weight: bold; text-transform: uppercase; padding: 0 .4em; border-radius: 3px; color: #fff; background: #999; margin-right: .4em; }
.badge.inclusion { background: #2e8b57; } .badge.exclusion { background: #c0392b; } .badge.unknown { background: #d4a017; }
.heading { font-style: italic; color: #555; margin-right: .4em; }
.text { white-space: pre-wrap; line-height: 2.1; margin: .2em 0; }
mark { background: none; color: inherit; padding: 0; }
mark.ent { border-radius: 3px; padding: 1px 0; background: #e8e8e8; }
{% for label, colour in colours.items() %}
mark.ent-{{ css_name(label) }} { background: {{ colour }}; }
{% endfor %}
mark.con { border-bottom: 3px solid #2b6cb0; padding-bottom: 2px; }
mark.con-age, mark.con-sex { border-color: #6b46c1; } mark.con-pregnancy, mark.con-breastfeeding { border-color: #b83280; }
mark.con-measurement, mark.con-score { border-color: #2b6cb0; } mark.con-temporal, mark.con-duration { border-color: #2c7a7b; }
mark.asr { outline: 1.5px dashed #c53030; } mark.asr-historical { outline-color: #2b6cb0; } mark.asr-hypothetical { outline-style: dotted; outline-color: #975a16; } mark.asr-family { outline-color: #553c9a; }
mark.trg { font-weight: bold; color: #9b2c2c; text-decoration: underline dotted; }
mark[data-label]::after { content: attr(data-label); font: bold 10px/1 system-ui, sans-serif; color: #fff; background: #555; border-radius: 3px; padding: 1px 3px; margin-left: 2px; vertical-align: 1px; white-space: nowrap; }
mark.con[data-label]::after { background: #2b6cb0; } mark.trg[data-label]::after { background: #9b2c2c; }
mark.ent[data-label]::after { background: rgba(0,0,0,.55); font-weight: normal; }
ul.logic { margin: .1em 0 .1em 1.2em; padding-left: .8em; border-left: 2px solid #ddd; }
ul.logic .op { font-weight: bold; color: #2b6cb0; }
details { margin: .2em 0; } summary { cursor: pointer; color: #555; }
table { border-collapse: collapse; margin: .3em 0; }
td, th { border: 1px solid #ddd; padding: .15em .5em; text-align: left; vertical-align: top; font-size: 13px; }
th { background: #f4f4f4; }
.legend mark { margin-right: .6em; }
form { background: #f6f8fa; border: 1px solid #ddd; padding: .8em; margin: .8em 0; }
textarea { width: 100%; box-sizing: border-box; font: 13px ui-monospace, monospace; }
label { margin-right: 1em; }
.verdict-met { color: #2e7d32; } .verdict-not_met { color: #c62828; font-weight: bold; } .verdict-unknown { color: #b7791f; } .verdict-not_computable { color: #777; }
.trial-eligible { color: #2e7d32; } .trial-excluded { color: #c62828; } .trial-needs_review { color: #b7791f; }
</style>
</head>
<body>
<h1>eligo</h1>
<p class="muted">eligo {{ version }}: criteria, constraints (underlined), concepts (coloured by type), assertions (outlined, with their trigger in bold).</p>
{% if page is not none %}
{% if page.error %}<p class="error" id="error">{{ page.error }}</p>{% endif %}
<form method="post" action="/" id="parse-form">
<p><label for="text">Criteria text or a registry page</label></p>
<textarea id="text" name="text" rows="12" maxlength="{{ page.max_chars }}">{{ page.text }}</textarea>
<p><label>Section of criteria no header places
<select name="section">
{% for s in ("unknown", "inclusion", "exclusion") %}
<option value="{{ s }}"{% if page.section == s %} selected{% endif %}>{{ s }}</option>
{% endfor %}
</select></label>
<button type="submit" id="parse-button">Parse</button></p>
</form>
<form method="post" action="/match-view" id="match-form">
<p><b>Match a patient</b> against the criteria above (the text box is the trial).</p>
<p><label>Age <input name="age" size="4" value="{{ page.age }}"></label>
<label>Sex <select name="sex">
{% for s in ("", "female", "male") %}
<option value="{{ s }}"{% if page.sex == s %} selected{% endif %}>{{ s or "unknown" }}</option>
{% endfor %}
</select></label>
<label>Pregnant <select name="pregnant">
{% for s in ("", "no", "yes") %}
<option value="{{ s }}"{% if page.pregnant == s %} selected{% endif %}>{{ s or "unknown" }}</option>
{% endfor %}
</select></label>
<label>As of <input name="as_of" type="date" value="{{ page.as_of }}"></label></p>
<p><label for="conditions">Conditions, one per line</label></p>
<textarea id="conditions" name="conditions" rows="3">{{ page.conditions }}</textarea>
<p><label for="medications">Medications, one per line</label></p>
<textarea id="medications" name="medications" rows="2">{{ page.medications }}</textarea>
<p><label for="labs">Lab results, one per line: <code>name: value unit</code> (on the as-of date)</label></p>
<textarea id="labs" name="labs" rows="3">{{ page.labs }}</textarea>
<p><label for="patient">Or a whole patient profile (JSON, <code>eligo schema --patient</code>); it replaces the fields above</label></p>
<textarea id="patient" name="patient" rows="4">{{ page.patient }}</textarea>
<textarea name="text" hidden>{{ page.text }}</textarea>
<input type="hidden" name="section" value="{{ page.section }}">
<p><button type="submit" id="match-button">Match</button></p>
</form>
{% endif %}
{% if report is not none %}
<h2 id="match">Patient {{ report.patient }}, as of {{ report.as_of }}</h2>
{% for trial in report.trials %}
<h3 class="trial-{{ trial.verdict }}">{{ trial.id }}: {{ trial.verdict | replace("_", " ") }}</h3>
{% if trial.missing %}<p>To collect: {{ trial.missing | join("; ") }}</p>{% endif %}
<table class="verdicts">
<tr><th>#</th><th>section</th><th>verdict</th><th>criterion</th><th>why</th></tr>
{% for crit in trial.criteria %}
<tr><td>{{ crit.index + 1 }}</td><td>{{ crit.section }}</td><td class="verdict-{{ crit.verdict }}">{{ crit.verdict | replace("_", " ") }}</td><td>{{ crit.text }}</td>
<td>{% for ev in crit.evidence %}{{ {True: "+", False: "-", None: "?"}[ev.holds] }} {{ ev.reason }}{% if ev.fact %} [{{ ev.fact }}]{% endif %}<br>{% endfor %}{% if crit.note %}{{ crit.note }}{% endif %}</td></tr>
{% endfor %}
</table>
{% endfor %}
{% endif %}
{% for view in documents %}
{% set doc = view.doc %}
<section class="document" id="{{ view.id }}" data-document="{{ doc.id }}">
<h2>{{ doc.id }}{% if doc.title %}: {{ doc.title }}{% endif %}</h2>
<p class="muted">{{ view.counts.criteria }} criteria, {{ view.counts.constraints }} constraints, {{ view.counts.entities }} concepts{% if doc.source and doc.source.path %}; from {{ doc.source.path }}{% if doc.source.record %} [{{ doc.source.record }}]{% endif %}{% endif %}.
Summary: {{ view.age }}, sex {{ doc.summary.sex or "?" }}.</p>
{% for mismatch in doc.summary.mismatches %}<p class="error">text vs registry: {{ mismatch }}</p>{% endfor %}
<ol class="criteria">
{% for c in view.criteria %}
<li class="crit sec-{{ c.crit.section }}" id="{{ c.id }}" data-start="{{ c.crit.start }}" data-end="{{ c.crit.end }}">
<span class="badge {{ c.crit.section }}">{{ c.crit.section }}</span>{% if c.crit.heading %}<span class="heading">{{ c.crit.heading.text }}</span>{% endif %}
{% if c.crit.category %}<span class="muted">{{ c.crit.category | replace("_", " ") }}{% if c.crit.computable == false %}, not computable{% endif %}</span>{% endif %}
<div class="text">{{ c.html }}</div>
{% if c.logic %}
<ul class="logic">{{ logic_node(c.logic) }}</ul>
{% endif %}
{% if c.constraints or c.entities %}
<details><summary>{{ c.constraints | length }} constraints, {{ c.entities | length }} concepts</summary>
{% if c.constraints %}
<table><tr><th>#</th><th>type</th><th>text</th><th>value</th><th>chars</th></tr>
{% for j, k, label, text in c.constraints %}
<tr><td>{{ j }}</td><td>{{ k.type }}</td><td>{{ text }}</td><td>{{ label }}</td><td>{{ k.start }}-{{ k.end }}</td></tr>
{% endfor %}
</table>
{% endif %}
{% if c.entities %}
<table><tr><th>concept</th><th>type</th><th>assertion</th><th>trigger</th><th>chars</th></tr>
{% for j, e, text in c.entities %}
<tr><td>{{ text }}</td><td>{{ e.label }}</td><td>{{ e.assertion or ("negated" if e.negated else "") }}</td><td>{{ e.trigger.text if e.trigger else "" }}</td><td>{{ e.start }}-{{ e.end }}</td></tr>
{% endfor %}
</table>
{% endif %}
</details>
{% endif %}
</li>
{% endfor %}
</ol>
</section>
{% endfor %}
{% if documents %}
<p class="legend muted">Concept types: {% for label in colours %}<mark class="ent ent-{{ css_name(label) }}">{{ label }}</mark>{% endfor %}</p>
{% endif %}
</body>
</html>
"""
