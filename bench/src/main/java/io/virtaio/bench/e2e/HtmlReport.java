package io.virtaio.bench.e2e;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Renders a {@link Report} as one self-contained HTML page: inline CSS and SVG, no scripts, nothing fetched — it
 * opens offline. Bars compare the headline figure per workload; latency curves plot round-trip time against the
 * percentile on a "nines" axis (50, 90, 99, 99.9, …) so the tail is visible.
 */
final class HtmlReport {
    private static final String[] COLORS = {"#1f6feb", "#d97706", "#6b7280", "#10b981"};
    private static final int W = 640;
    private static final int H = 260;
    private static final int PAD_L = 70;
    private static final int PAD_B = 40;
    private static final int PAD_T = 20;
    private static final int PAD_R = 20;

    private HtmlReport() {
    }

    static String render(Report report) {
        StringBuilder sb = new StringBuilder();
        Env env = report.env();
        sb.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<title>virtaio bench</title><style>")
                .append("body{font-family:system-ui,sans-serif;margin:2em;color:#111;max-width:1400px}")
                .append("table{border-collapse:collapse;margin:1em 0}td,th{padding:4px 10px;border-bottom:1px solid #ddd;")
                .append("text-align:right}th:first-child,td:first-child,td:nth-child(2),th:nth-child(2){text-align:left}")
                .append(".charts{display:flex;flex-wrap:wrap;gap:2em}figure{margin:0}figcaption{font-weight:600}")
                .append("svg text{font-size:12px;fill:#333}.ratio{color:#555}</style></head><body>\n")
                .append("<h1>virtaio bench</h1>\n<p>").append(esc(String.format(Locale.ROOT,
                        "java %s · %d cpus · kernel %s · commit %s", env.java(), env.cpus(), env.kernel(),
                        env.commit()))).append("</p>\n");
        sb.append("<table><tr><th>workload</th><th>system</th><th>Gbit/s</th><th>round trips/s</th><th>p50 µs</th>")
                .append("<th>p99 µs</th><th>p99.9 µs</th></tr>\n");
        for (Result r : report.results()) {
            sb.append("<tr><td>").append(r.workload().label()).append("</td><td>").append(esc(r.system()))
                    .append("</td><td>").append(num(r.gbps(), "%.2f")).append("</td><td>")
                    .append(num(r.opsPerSec(), "%.0f")).append("</td><td>").append(num(r.p50Us(), "%.1f"))
                    .append("</td><td>").append(num(r.p99Us(), "%.1f")).append("</td><td>")
                    .append(num(r.p999Us(), "%.1f")).append("</td></tr>\n");
        }
        sb.append("</table>\n");
        for (Workload w : Workload.values()) {
            double ratio = report.ratio(w);
            if (!Double.isNaN(ratio)) {
                sb.append("<p class=\"ratio\">").append(w.label()).append(": virtaio / ")
                        .append(esc(report.bestJdk(w).system()))
                        .append(String.format(Locale.ROOT, " = <b>%.2f×</b></p>\n", ratio));
            }
        }
        sb.append("<div class=\"charts\">\n");
        for (Workload w : Workload.values()) {
            List<Result> rs = forWorkload(report, w);
            if (!rs.isEmpty()) {
                sb.append(bars(w, rs));
            }
        }
        for (Workload w : new Workload[] {Workload.RPC, Workload.RPC_64}) {
            List<Result> rs = forWorkload(report, w);
            if (rs.stream().anyMatch(r -> r.latencyCurve().length > 0)) {
                sb.append(curves(w, rs));
            }
        }
        sb.append("</div>\n</body></html>\n");
        return sb.toString();
    }

    private static List<Result> forWorkload(Report report, Workload w) {
        List<Result> rs = new ArrayList<>();
        for (Result r : report.results()) {
            if (r.workload() == w && !Double.isNaN(r.headline())) {
                rs.add(r);
            }
        }
        return rs;
    }

    private static String bars(Workload w, List<Result> rs) {
        String unit = w == Workload.BULK ? "Gbit/s" : "round trips/s";
        double max = 0;
        for (Result r : rs) {
            max = Math.max(max, r.headline());
        }
        max = niceCeil(max);
        StringBuilder sb = figure(w.label() + " — " + unit);
        int plotW = W - PAD_L - PAD_R;
        int plotH = H - PAD_T - PAD_B;
        axisY(sb, 0, max, false);
        int slot = plotW / rs.size();
        for (int i = 0; i < rs.size(); i++) {
            Result r = rs.get(i);
            double h = plotH * r.headline() / max;
            int x = PAD_L + i * slot + slot / 6;
            sb.append(String.format(Locale.ROOT,
                    "<rect x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" fill=\"%s\"/>", x, PAD_T + plotH - h,
                    slot * 2 / 3, h, color(r.system())));
            sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"middle\">%s</text>",
                    x + slot / 3, PAD_T + plotH - h - 4, esc(short3(r.headline()))));
            sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>",
                    x + slot / 3, H - PAD_B + 16, esc(r.system())));
        }
        return sb.append("</svg></figure>\n").toString();
    }

    private static String curves(Workload w, List<Result> rs) {
        double maxUs = 1;
        double minUs = Double.MAX_VALUE;
        for (Result r : rs) {
            for (double[] pt : r.latencyCurve()) {
                maxUs = Math.max(maxUs, pt[1]);
                minUs = Math.min(minUs, Math.max(0.1, pt[1]));
            }
        }
        double lo = Math.pow(10, Math.floor(Math.log10(minUs)));
        double hi = Math.pow(10, Math.ceil(Math.log10(maxUs)));
        StringBuilder sb = figure(w.label() + " — round-trip latency (µs, log) by percentile");
        int plotW = W - PAD_L - PAD_R;
        int plotH = H - PAD_T - PAD_B;
        axisY(sb, lo, hi, true);
        double maxNines = 5;
        for (double p : new double[] {50, 90, 99, 99.9, 99.99}) {
            double x = PAD_L + plotW * nines(p) / maxNines;
            sb.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#eee\"/>"
                    + "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>", x, PAD_T, x, PAD_T + plotH, x,
                    H - PAD_B + 16, trim(p)));
        }
        int legend = 0;
        for (Result r : rs) {
            StringBuilder pts = new StringBuilder();
            for (double[] pt : r.latencyCurve()) {
                double x = PAD_L + plotW * Math.min(nines(pt[0]), maxNines) / maxNines;
                double y = PAD_T + plotH - plotH * (Math.log10(Math.max(lo, pt[1])) - Math.log10(lo))
                        / (Math.log10(hi) - Math.log10(lo));
                pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
            }
            sb.append("<polyline fill=\"none\" stroke-width=\"2\" stroke=\"").append(color(r.system()))
                    .append("\" points=\"").append(pts.toString().trim()).append("\"/>");
            sb.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" fill=\"%s\"/>"
                    + "<text x=\"%d\" y=\"%d\">%s</text>", PAD_L + 10, PAD_T + 6 + legend * 16, color(r.system()),
                    PAD_L + 26, PAD_T + 15 + legend * 16, esc(r.system())));
            legend++;
        }
        return sb.append("</svg></figure>\n").toString();
    }

    /** 50 → 0.3, 90 → 1, 99 → 2, 99.9 → 3 …; 100 maps past the last tick. */
    private static double nines(double percentile) {
        return percentile >= 100 ? 5 : -Math.log10(1 - percentile / 100);
    }

    private static StringBuilder figure(String caption) {
        StringBuilder sb = new StringBuilder();
        sb.append("<figure><figcaption>").append(esc(caption)).append("</figcaption>")
                .append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
                        + "height=\"%d\" viewBox=\"0 0 %d %d\">", W, H, W, H));
        return sb;
    }

    private static void axisY(StringBuilder sb, double lo, double hi, boolean log) {
        int plotH = H - PAD_T - PAD_B;
        sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#999\"/>", PAD_L,
                PAD_T, PAD_L, PAD_T + plotH));
        sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#999\"/>", PAD_L,
                PAD_T + plotH, W - PAD_R, PAD_T + plotH));
        int ticks = 4;
        for (int i = 0; i <= ticks; i++) {
            double v = log ? lo * Math.pow(hi / lo, (double) i / ticks) : lo + (hi - lo) * i / ticks;
            double y = PAD_T + plotH - plotH * (double) i / ticks;
            sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#eee\"/>"
                    + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>", PAD_L, y, W - PAD_R, y, PAD_L - 6,
                    y + 4, esc(short3(v))));
        }
    }

    private static double niceCeil(double v) {
        if (v <= 0) {
            return 1;
        }
        double mag = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 2, 2.5, 5, 10}) {
            if (m * mag >= v) {
                return m * mag;
            }
        }
        return 10 * mag;
    }

    private static String color(String system) {
        return switch (system) {
            case "virtaio" -> COLORS[0];
            case "jdk-nio" -> COLORS[1];
            case "jdk-nio2" -> COLORS[2];
            default -> COLORS[3];
        };
    }

    private static String short3(double v) {
        if (v >= 1e6) {
            return String.format(Locale.ROOT, "%.2fM", v / 1e6);
        }
        if (v >= 1e4) {
            return String.format(Locale.ROOT, "%.0fk", v / 1e3);
        }
        if (v >= 100) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        return String.format(Locale.ROOT, "%.2f", v);
    }

    private static String trim(double p) {
        return p == Math.rint(p) ? String.valueOf((long) p) : String.valueOf(p);
    }

    private static String num(double v, String pattern) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, pattern, v);
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
