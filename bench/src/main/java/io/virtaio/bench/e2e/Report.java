package io.virtaio.bench.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The results of one {@code ./virtaio bench} run: the table, the JSON file (stable field names, so runs can be
 * compared across versions) and a self-contained HTML page with inline SVG charts.
 */
public final class Report {
    public static final String VIRTAIO = "virtaio";
    private static final String[] JDK = {"jdk-nio", "jdk-nio2"};

    private final Env env;
    private final List<Result> results = new ArrayList<>();
    private double idlePercent = Double.NaN;

    public Report(Env env) {
        this.env = env;
    }

    public void add(Result r) {
        results.add(r);
    }

    public List<Result> results() {
        return results;
    }

    public Env env() {
        return env;
    }

    /** CPU an idle virtaio runtime used (percent of one core), or NaN if not measured. */
    public double idlePercent() {
        return idlePercent;
    }

    public void setIdlePercent(double percent) {
        this.idlePercent = percent;
    }

    /** The result of {@code system} on {@code w}, or null. */
    public Result find(String system, Workload w) {
        for (Result r : results) {
            if (r.system().equals(system) && r.workload() == w) {
                return r;
            }
        }
        return null;
    }

    /** The JDK result with the best headline figure on {@code w}, or null. */
    public Result bestJdk(Workload w) {
        Result best = null;
        for (String s : JDK) {
            Result r = find(s, w);
            if (r != null && !Double.isNaN(r.headline()) && (best == null || r.headline() > best.headline())) {
                best = r;
            }
        }
        return best;
    }

    /** virtaio's headline over the best JDK's, or NaN. */
    public double ratio(Workload w) {
        Result v = find(VIRTAIO, w);
        Result j = bestJdk(w);
        return v == null || j == null ? Double.NaN : v.headline() / j.headline();
    }

    /** The table printed at the end of a run. */
    public String table() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-8s %-9s %9s %12s %9s %9s %9s%n", "workload", "system", "Gbit/s",
                "round trip/s", "p50 µs", "p99 µs", "p99.9 µs"));
        for (Workload w : Workload.values()) {
            boolean any = false;
            for (Result r : results) {
                if (r.workload() != w) {
                    continue;
                }
                any = true;
                sb.append(String.format(Locale.ROOT, "%-8s %-9s %9s %12s %9s %9s %9s%s%n", w.label(), r.system(),
                        fmt(r.gbps(), "%.2f"), fmt(r.opsPerSec(), "%.0f"), fmt(r.p50Us(), "%.1f"),
                        fmt(r.p99Us(), "%.1f"), fmt(r.p999Us(), "%.1f"),
                        r.note().isEmpty() ? "" : "  (" + r.note() + ")"));
            }
            double ratio = ratio(w);
            if (any && !Double.isNaN(ratio)) {
                Result best = bestJdk(w);
                sb.append(String.format(Locale.ROOT, "%-8s virtaio / %s = %.2fx%s%n", "", best.system(), ratio,
                        w == Workload.BULK ? " (goodput)" : latencyRatios(w)));
            }
        }
        if (!Double.isNaN(idlePercent)) {
            sb.append(String.format(Locale.ROOT, "idle: a virtaio runtime with no traffic used %.2f%% of a core "
                    + "(over 2 s, after 1 s idle)%n", idlePercent));
        }
        sb.append(String.format(Locale.ROOT, "java %s, %d cpus, kernel %s, commit %s%n", env.java(), env.cpus(),
                env.kernel(), env.commit()));
        return sb.toString();
    }

    private String latencyRatios(Workload w) {
        Result v = find(VIRTAIO, w);
        Result j = bestJdk(w);
        if (v == null || j == null) {
            return "";
        }
        return String.format(Locale.ROOT, " (round trips/s); p50 %.2fx, p99 %.2fx of %s's latency", v.p50Us() / j.p50Us(),
                v.p99Us() / j.p99Us(), j.system());
    }

    private static String fmt(double v, String pattern) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, pattern, v);
    }

    private static String json(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? "null" : String.format(Locale.ROOT, "%.4f", v);
    }

    private static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }

    /**
     * {@code {"env": {...}, "results": [{"system", "workload", "gbps", "ops_per_s", "p50_us", "p99_us", "p999_us"}]}};
     * fields that do not apply are null.
     */
    public String toJson() {
        StringBuilder sb = new StringBuilder();
        sb.append("{\n  \"env\": {\"java\": ").append(quote(env.java())).append(", \"cpus\": ").append(env.cpus())
                .append(", \"kernel\": ").append(quote(env.kernel())).append(", \"commit\": ")
                .append(quote(env.commit())).append("},\n  \"idle_cpu_percent\": ").append(json(idlePercent))
                .append(",\n  \"results\": [");
        for (int i = 0; i < results.size(); i++) {
            Result r = results.get(i);
            sb.append(i == 0 ? "\n" : ",\n").append("    {\"system\": ").append(quote(r.system()))
                    .append(", \"workload\": ").append(quote(r.workload().label()))
                    .append(", \"gbps\": ").append(json(r.gbps()))
                    .append(", \"ops_per_s\": ").append(json(r.opsPerSec()))
                    .append(", \"p50_us\": ").append(json(r.p50Us()))
                    .append(", \"p99_us\": ").append(json(r.p99Us()))
                    .append(", \"p999_us\": ").append(json(r.p999Us()));
            if (!r.note().isEmpty()) {
                sb.append(", \"note\": ").append(quote(r.note()));
            }
            sb.append('}');
        }
        return sb.append("\n  ]\n}\n").toString();
    }

    public void writeJson(Path file) throws IOException {
        Files.writeString(file, toJson());
    }

    public void writeHtml(Path file) throws IOException {
        Files.writeString(file, HtmlReport.render(this));
    }
}
