package org.carousel.jobs.report;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.hadoop.conf.Configuration;
import org.carousel.data.Manifest;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The report's HTML: one self-contained page (plots as data URIs, fragments inlined, no external resources).
 *
 * <pre>
 *   header       title, when, Carousel version of this report and of every input
 *   provenance   each data directory (corpus, documents, tokens per split, vocabulary and its fingerprint) and
 *                each model (shape, parameters, training results, its data and vocabulary, resolved config)
 *   results      language-model bits/char (eval outputs), then each evaluation (kind carousel.eval.*) in input
 *                order: title, summary, plots, tables, HTML fragments, and its own provenance and config
 *   status line  filled in by a script on load: plots decoded / plots present, script errors
 * </pre>
 * Evaluations follow the manifest convention {@code title, summary, plots[], tables[{title, columns, rows}],
 * html[], provenance{}}; a manifest without them still shows as its headline fields.
 */
final class ReportPage {
    private final StringBuilder h = new StringBuilder(1 << 16);
    private final Configuration conf;
    private int plots;

    private ReportPage(Configuration conf) {
        this.conf = conf;
    }

    /** The page and the number of plots embedded in it. */
    record Rendered(String html, int plots) {}

    static Rendered render(String title, List<ReportInput> inputs, Configuration conf) {
        ReportPage p = new ReportPage(conf);
        String html = p.page(title, inputs);
        return new Rendered(html, p.plots);
    }

    private String page(String title, List<ReportInput> inputs) {
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>").append(esc(title)).append("</title>\n");
        // First script of the page, so that errors of any later script (fragments included) are counted.
        h.append("<script>window.carouselErrors=[];window.addEventListener('error',function(e){window.carouselErrors.push(String(e.message||e.type));});</script>\n");
        h.append("<style>body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1100px;color:#222;padding:0 1em}"
                + "h1{font-size:1.6em}h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:2em}"
                + "table{border-collapse:collapse;margin:.6em 0}td,th{border:1px solid #ccc;padding:.2em .6em;text-align:right}"
                + "th{background:#f3f3f3}td.t,th.t{text-align:left}img.plot{max-width:100%;display:block;margin:.6em 0;border:1px solid #eee}"
                + "pre{background:#f7f7f7;padding:.6em;overflow:auto;max-height:24em}.meta{color:#666;font-size:.9em}"
                + "section.eval{margin-bottom:2.5em}</style>\n</head><body>\n");
        h.append("<h1>").append(esc(title)).append("</h1>\n");
        h.append("<p class=\"meta\">Generated ").append(esc(java.time.Instant.now().toString())).append(" by Carousel ")
                .append(esc(org.carousel.data.CodeVersion.get())).append(" from ").append(inputs.size()).append(" stage outputs.</p>\n");
        h.append("<nav><ul>");
        for (int i = 0; i < inputs.size(); i++)
            h.append("<li><a href=\"#s").append(i).append("\">").append(esc(heading(inputs.get(i)))).append("</a></li>");
        h.append("</ul></nav>\n");

        h.append("<h2>Provenance</h2>\n");
        boolean any = false;
        for (int i = 0; i < inputs.size(); i++) {
            ReportInput in = inputs.get(i);
            if (in.kind().equals(Manifest.SHARDS)) { data(i, in); any = true; }
            else if (in.kind().equals(Manifest.MODEL)) { model(i, in); any = true; }
        }
        if (!any) h.append("<p>No data or model directory among the inputs; each evaluation lists its own below.</p>\n");

        h.append("<h2>Results</h2>\n");
        for (int i = 0; i < inputs.size(); i++) {
            ReportInput in = inputs.get(i);
            if (in.kind().equals(Manifest.SHARDS) || in.kind().equals(Manifest.MODEL)) continue;
            evaluation(i, in);
        }
        h.append("<p id=\"report-status\" class=\"meta\" data-plots-total=\"").append(plots)
                .append("\" data-plots-loaded=\"-1\" data-errors=\"-1\">(status: needs JavaScript)</p>\n");
        h.append("<script>(function(){function done(){var imgs=document.querySelectorAll('img.plot'),ok=0;"
                + "imgs.forEach(function(i){if(i.complete&&i.naturalWidth>0)ok++;});var s=document.getElementById('report-status'),"
                + "e=window.carouselErrors;s.setAttribute('data-plots-total',imgs.length);s.setAttribute('data-plots-loaded',ok);"
                + "s.setAttribute('data-errors',e.length);s.textContent=ok+' of '+imgs.length+' plots shown'+(e.length?'; script errors: '+e.join('; '):'; no script errors');}"
                + "if(document.readyState==='complete')done();else window.addEventListener('load',done);})();</script>\n");
        h.append("</body></html>\n");
        return h.toString();
    }

    private static String heading(ReportInput in) {
        String k = in.kind();
        if (k.equals(Manifest.SHARDS)) return "Data: " + in.dir();
        if (k.equals(Manifest.MODEL)) return "Model: " + in.dir();
        if (k.equals(Manifest.EVAL)) return "Bits per character (" + in.manifest().path("split").asText() + "): " + in.dir();
        String t = in.manifest().path("title").asText("");
        return (t.isEmpty() ? k : t) + ": " + in.dir();
    }

    private void data(int i, ReportInput in) {
        JsonNode m = in.manifest();
        h.append("<h3 id=\"s").append(i).append("\">Data: <code>").append(esc(in.dir())).append("</code></h3>\n");
        JsonNode input = m.path("input");
        h.append("<p>Corpus <code>").append(esc(input.path("path").asText())).append("</code>: ")
                .append(num(input.path("files"))).append(" files, ").append(num(input.path("bytes"))).append(" bytes, ")
                .append(num(input.path("documents"))).append(" documents. Vocabulary: ")
                .append(esc(m.path("vocabulary").path("kind").asText())).append(", ").append(num(m.path("vocabulary").path("size")))
                .append(" ids, <code>").append(esc(m.path("vocabulary").path("fingerprint").asText())).append("</code>")
                .append(targetVocabulary(m)).append(".</p>\n");
        JsonNode splits = m.path("splits");
        if (splits.isObject() && splits.size() > 0) {
            h.append("<table><tr><th class=\"t\">split</th><th>documents</th><th>tokens</th><th>windows</th><th>streams</th><th>unigram entropy (bits)</th></tr>\n");
            for (Iterator<Map.Entry<String, JsonNode>> it = splits.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                JsonNode s = e.getValue();
                h.append("<tr><td class=\"t\">").append(esc(e.getKey())).append("</td><td>").append(num(s.path("documents")))
                        .append("</td><td>").append(num(s.path("tokens"))).append("</td><td>").append(num(s.path("windows")))
                        .append("</td><td>").append(num(s.path("streams"))).append("</td><td>").append(num(s.path("unigram_entropy_bits")))
                        .append("</td></tr>\n");
            }
            h.append("</table>\n");
        }
        versionAndConfig(m);
    }

    private void model(int i, ReportInput in) {
        JsonNode m = in.manifest();
        JsonNode s = m.path("model");
        JsonNode r = m.path("results");
        h.append("<h3 id=\"s").append(i).append("\">Model: <code>").append(esc(in.dir())).append("</code></h3>\n");
        h.append("<p>");
        if (s.path("family").asText().equals("sequence-classifier"))
            h.append("Sequence classifier (").append(esc(s.path("pooling").asText())).append(" pooling, ")
                    .append(s.path("bidirectional").asBoolean() ? "bidirectional, " : "").append(num(s.path("classes")))
                    .append(" labels): ");
        if (s.path("family").asText().equals("encoder-decoder"))
            h.append("Encoder–decoder (attention ").append(esc(s.path("attention").asText()))
                    .append(s.path("reverse_source").asBoolean() ? ", source reversed" : "")
                    .append(s.path("decoder_weights").asText("shared").equals("separate") ? ", separate decoder weights" : "")
                    .append(s.path("bidirectional").asBoolean() ? ", bidirectional encoder" : "").append("): ");
        h.append(esc(s.path("cell").asText())).append(" ").append(num(s.path("layers"))).append("×")
                .append(num(s.path("hidden"))).append(", embedding ").append(num(s.path("embedding"))).append(", ")
                .append(num(s.path("parameters"))).append(" parameters; trained on <code>").append(esc(m.path("data").path("path").asText()))
                .append("</code> with vocabulary <code>").append(esc(m.path("vocabulary").path("fingerprint").asText())).append("</code>")
                .append(targetVocabulary(m)).append(".</p>\n");
        if (r.isObject() && r.size() > 0) table("Training results", r);
        for (JsonNode p : m.path("plots")) plot(in, p.asText());     // the training curve (loss.png)
        versionAndConfig(m);
    }

    private void evaluation(int i, ReportInput in) {
        JsonNode m = in.manifest();
        h.append("<section class=\"eval\"><h3 id=\"s").append(i).append("\">").append(esc(heading(in))).append("</h3>\n");
        if (in.kind().equals(Manifest.EVAL)) {
            h.append("<p>").append(num(m.path("bits_per_char"))).append(" bits per character on ").append(num(m.path("chars")))
                    .append(" characters of the ").append(esc(m.path("split").asText())).append(" split (unigram entropy of the same text ")
                    .append(num(m.path("unigram_entropy_bits"))).append(" bits); model <code>").append(esc(m.path("model").asText()))
                    .append("</code>, data <code>").append(esc(m.path("data").asText())).append("</code>.</p>\n");
        }
        String summary = m.path("summary").asText("");
        if (!summary.isEmpty()) h.append("<p>").append(esc(summary)).append("</p>\n");
        for (JsonNode p : m.path("plots")) plot(in, p.asText());
        for (JsonNode t : m.path("tables")) table(t);
        for (JsonNode f : m.path("html")) {
            h.append("<div class=\"fragment\">\n")
                    .append(new String(in.file(f.asText(), conf), StandardCharsets.UTF_8)).append("\n</div>\n");
        }
        JsonNode prov = m.path("provenance");
        if (prov.isObject() && prov.size() > 0) {
            h.append("<details><summary>Provenance</summary><table>");
            for (Iterator<Map.Entry<String, JsonNode>> it = prov.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String v = e.getValue().isTextual() ? e.getValue().asText() : e.getValue().toString();
                h.append("<tr><th class=\"t\">").append(esc(e.getKey())).append("</th><td class=\"t\">")
                        .append(v.contains("\n") ? "<pre>" + esc(v) + "</pre>" : "<code>" + esc(v) + "</code>").append("</td></tr>");
            }
            h.append("</table></details>\n");
        }
        h.append("<p class=\"meta\">").append(esc(in.kind())).append(", created ").append(esc(m.path("created").asText()))
                .append(" by Carousel ").append(esc(m.path("carousel_version").asText())).append("</p>\n");
        h.append("<details><summary>manifest.json</summary><pre>").append(esc(Manifest.render(m))).append("</pre></details>\n</section>\n");
    }

    private void plot(ReportInput in, String name) {
        byte[] bytes = in.file(name, conf);
        String mime = name.endsWith(".svg") ? "image/svg+xml" : name.endsWith(".png") ? "image/png" : null;
        if (mime == null) throw new org.carousel.BadInputException(in.dir() + "/" + name + ": plots must be .png or .svg");
        plots++;
        h.append("<img class=\"plot\" alt=\"").append(esc(name)).append("\" src=\"data:").append(mime).append(";base64,")
                .append(Base64.getEncoder().encodeToString(bytes)).append("\">\n");
    }

    /** A {title, columns, rows} table. */
    private void table(JsonNode t) {
        if (t.hasNonNull("title")) h.append("<h4>").append(esc(t.path("title").asText())).append("</h4>\n");
        h.append("<table><tr>");
        for (JsonNode c : t.path("columns")) h.append("<th>").append(esc(c.asText())).append("</th>");
        h.append("</tr>\n");
        for (JsonNode row : t.path("rows")) {
            h.append("<tr>");
            for (JsonNode c : row) h.append(c.isNumber() ? "<td>" + num(c) + "</td>" : "<td class=\"t\">" + esc(c.isTextual() ? c.asText() : c.toString()) + "</td>");
            h.append("</tr>\n");
        }
        h.append("</table>\n");
    }

    /** An object's scalar fields as a two-column table. */
    private void table(String title, JsonNode obj) {
        h.append("<h4>").append(esc(title)).append("</h4><table>");
        for (Iterator<Map.Entry<String, JsonNode>> it = obj.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode v = e.getValue();
            h.append("<tr><th class=\"t\">").append(esc(e.getKey())).append("</th><td>")
                    .append(v.isNumber() ? num(v) : esc(v.isTextual() ? v.asText() : v.toString())).append("</td></tr>");
        }
        h.append("</table>\n");
    }

    private void versionAndConfig(JsonNode m) {
        h.append("<p class=\"meta\">").append(esc(m.path("kind").asText())).append(", created ").append(esc(m.path("created").asText()))
                .append(" by Carousel ").append(esc(m.path("carousel_version").asText())).append("</p>\n");
        if (m.has("config"))
            h.append("<details><summary>Configuration</summary><pre>").append(esc(m.path("config").isTextual()
                    ? m.path("config").asText() : Manifest.render(m.path("config")))).append("</pre></details>\n");
    }

    private static String num(JsonNode n) {
        if (n == null || n.isMissingNode() || n.isNull()) return "–";
        if (n.isIntegralNumber()) return String.format("%,d", n.asLong());
        if (n.isNumber()) {
            double d = n.asDouble();
            if (d != 0 && (Math.abs(d) < 1e-3 || Math.abs(d) >= 1e7)) return String.format("%.3e", d);
            return String.format("%.4f", d);
        }
        return esc(n.asText());
    }

    static String esc(String s) {
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    /** ", target vocabulary: kind, size ids, fingerprint" for pairs with separate vocabularies; "" otherwise. */
    private static String targetVocabulary(JsonNode m) {
        JsonNode t = m.path("target_vocabulary");
        if (t.isMissingNode()) return "";
        return "; target vocabulary " + esc(t.path("kind").asText()) + ", " + num(t.path("size")) + " ids, <code>"
                + esc(t.path("fingerprint").asText()) + "</code>";
    }
}
