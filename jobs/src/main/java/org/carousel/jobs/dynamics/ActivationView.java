package org.carousel.jobs.dynamics;

import org.carousel.dynamics.UnitProbes;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * activations.html of {@link ProbesEval}: a self-contained HTML fragment (no external resources; ids and classes
 * prefixed "probes-") showing held-out text with each character's background coloured by one unit's activation
 * after reading it — blue −1, white 0, red +1 (Karpathy et al. 2015) — and a select to choose the unit: the top
 * units of each signal first, then every embedded unit.
 *
 * <p>Activations travel as compact JSON: per unit one string with one character per text position, the value
 * quantised to 64 levels over [−1, 1] (h as is; a cell memory c as tanh(c)); a few lines of inline script recolour
 * the spans when the selection changes. The first unit's colours are also written inline, so the fragment shows
 * something without script.
 */
final class ActivationView {
    static final String ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz+/";
    static final int LEVELS = ALPHABET.length();

    private ActivationView() {}

    /** A unit to embed: its layer, index in the layer's state, and label. */
    record Key(int layer, int unit, String label) {}

    /**
     * @param top      per signal name, its top units (already ordered)
     * @param maxUnits units embedded at most (top units first, then the rest in layer/unit order)
     */
    static String html(UnitProbes.Result r, Map<String, List<UnitProbes.Unit>> top, int maxUnits) {
        int[] cps = r.viewCodePoints();
        Map<String, Integer> index = new LinkedHashMap<>();
        List<Key> keys = new ArrayList<>();
        for (List<UnitProbes.Unit> units : top.values())
            for (UnitProbes.Unit u : units) add(index, keys, new Key(u.layer(), u.unit(), u.label()), maxUnits);
        int total = 0;
        for (int l = 0; l < r.layers(); l++) {
            total += r.units(l);
            for (int u = 0; u < r.units(l); u++)
                add(index, keys, new Key(l, u, new UnitProbes.Unit(l, u, r.hidden(l), 0).label()), maxUnits);
        }
        List<String> encoded = new ArrayList<>();
        for (Key k : keys) encoded.add(encode(r.viewActivations(k.layer(), k.unit()), k.unit() >= r.hidden(k.layer())));

        StringBuilder sb = new StringBuilder();
        sb.append("<div id=\"probes-view\" class=\"probes-view\">\n");
        sb.append("<style>#probes-view .probes-text{font-family:monospace;white-space:pre-wrap;line-height:1.6;")
                .append("border:1px solid #ccc;padding:6px;max-height:40em;overflow:auto}")
                .append("#probes-view .probes-legend{font-size:85%;color:#555;margin-left:1em}</style>\n");
        sb.append("<label for=\"probes-unit\">Unit </label><select id=\"probes-unit\" class=\"probes-unit\">\n");
        for (Map.Entry<String, List<UnitProbes.Unit>> e : top.entrySet()) {
            if (e.getValue().isEmpty()) continue;
            sb.append("<optgroup label=\"").append(escape(e.getKey())).append(": top units\">\n");
            for (UnitProbes.Unit u : e.getValue()) {
                Integer i = index.get(u.label());
                if (i == null) continue;
                sb.append("<option value=\"").append(i).append("\">").append(escape(u.label()))
                        .append(String.format(" (r = %+.3f)", u.r())).append("</option>\n");
            }
            sb.append("</optgroup>\n");
        }
        sb.append("<optgroup label=\"").append(keys.size() < total ? "units (" + keys.size() + " of " + total + ")" : "all units").append("\">\n");
        for (int i = 0; i < keys.size(); i++)
            sb.append("<option value=\"").append(i).append("\">").append(escape(keys.get(i).label())).append("</option>\n");
        sb.append("</optgroup>\n</select>");
        sb.append("<span class=\"probes-legend\">blue −1 · white 0 · red +1 (a cell memory c shown as tanh c); ")
                .append(cps.length).append(" characters</span>\n");
        sb.append("<div id=\"probes-text\" class=\"probes-text\">");
        String first = encoded.isEmpty() ? "" : encoded.get(0);
        for (int t = 0; t < cps.length; t++) {
            sb.append("<span");
            if (!first.isEmpty()) sb.append(" style=\"background:").append(colour(decode(first.charAt(t)))).append('"');
            sb.append('>').append(escape(new String(Character.toChars(cps[t])))).append("</span>");
        }
        sb.append("</div>\n");
        sb.append("<script type=\"application/json\" id=\"probes-data\">{\"levels\":").append(LEVELS)
                .append(",\"alphabet\":\"").append(ALPHABET).append("\",\"units\":[");
        for (int i = 0; i < encoded.size(); i++) sb.append(i == 0 ? "" : ",").append('"').append(encoded.get(i)).append('"');
        sb.append("]}</script>\n");
        sb.append("<script>(function(){var d=JSON.parse(document.getElementById('probes-data').textContent);")
                .append("var sel=document.getElementById('probes-unit'),s=document.getElementById('probes-text').children;")
                .append("function col(v){var a=Math.round(255*(1-Math.abs(v)));return v<0?'rgb('+a+','+a+',255)':'rgb(255,'+a+','+a+')';}")
                .append("function show(){var u=d.units[+sel.value];if(!u)return;for(var i=0;i<s.length;i++)")
                .append("{s[i].style.background=col(d.alphabet.indexOf(u.charAt(i))/(d.levels-1)*2-1);}}")
                .append("sel.addEventListener('change',show);show();})();</script>\n");
        sb.append("</div>\n");
        return sb.toString();
    }

    private static void add(Map<String, Integer> index, List<Key> keys, Key k, int max) {
        if (keys.size() >= max || index.containsKey(k.label())) return;
        index.put(k.label(), keys.size());
        keys.add(k);
    }

    static String encode(float[] values, boolean memory) {
        StringBuilder sb = new StringBuilder(values.length);
        for (float v : values) {
            double x = memory ? Math.tanh(v) : Math.max(-1, Math.min(1, v));
            sb.append(ALPHABET.charAt((int) Math.round((x + 1) / 2 * (LEVELS - 1))));
        }
        return sb.toString();
    }

    static double decode(char c) {
        return ALPHABET.indexOf(c) / (double) (LEVELS - 1) * 2 - 1;
    }

    /** The same colour as the script's: white at 0, blue at −1, red at +1. */
    static String colour(double v) {
        int a = (int) Math.round(255 * (1 - Math.abs(v)));
        return v < 0 ? "rgb(" + a + "," + a + ",255)" : "rgb(255," + a + "," + a + ")";
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
