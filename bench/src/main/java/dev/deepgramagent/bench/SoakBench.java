package dev.deepgramagent.bench;

import dev.deepgramagent.bench.apps.SoakApp;
import dev.deepgramagent.simulator.DeepgramSimulator;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The soak ({@code bench/run.sh --soak[=MINUTES]}): {@link SoakApp}'s 500 real-time sessions over
 * four libraries with faults and pauses, for MINUTES with the agent and then as long without it.
 * Checks, failing the run when broken: the agent's internal errors are 0, every session it saw
 * open ended, none is active at the end. Figures, against the run without the agent: the heap
 * after full collections (its slope by least squares, after the first fifth of the run), CPU, and
 * the agent's threads. Writes its table to docs/reliability.md.
 */
final class SoakBench {

    static final int SLOTS = 500;
    /** Fixed, so that both runs meet the same lives, pauses and faults. */
    static final long SEED = 20261130L;
    static final double CPU_GOAL = 1.05;
    /** Below this a heap slope is flat whatever the noise (KiB per minute). */
    static final double FLAT_KIB_PER_MINUTE = 256;
    /** Shorter soaks (CI's 2 minutes) print their table but leave the recorded one in docs/reliability.md alone. */
    static final int RECORDED_MINUTES = 10;

    private SoakBench() {
    }

    /** The least-squares slope of y over x, and its standard error. */
    record Fit(double slope, double standardError) {
        static Fit of(List<Double> x, List<Double> y) {
            int n = x.size();
            double mx = x.stream().mapToDouble(Double::doubleValue).average().orElse(0);
            double my = y.stream().mapToDouble(Double::doubleValue).average().orElse(0);
            double sxx = 0;
            double sxy = 0;
            for (int i = 0; i < n; i++) {
                sxx += (x.get(i) - mx) * (x.get(i) - mx);
                sxy += (x.get(i) - mx) * (y.get(i) - my);
            }
            if (n < 2 || sxx == 0) {
                return new Fit(0, Double.NaN);
            }
            double slope = sxy / sxx;
            double residuals = 0;
            for (int i = 0; i < n; i++) {
                double r = y.get(i) - (my + slope * (x.get(i) - mx));
                residuals += r * r;
            }
            return new Fit(slope, n > 2 ? Math.sqrt(residuals / (n - 2) / sxx) : Double.NaN);
        }
    }

    static final class Side {
        final JvmRun run;
        final List<Double> minutes = new ArrayList<>();
        final List<Double> heapKib = new ArrayList<>();
        final Fit fit;
        final int maxAgentThreads;

        Side(JvmRun run) {
            this.run = run;
            String[] at = run.values.getOrDefault("sample_seconds", "").split(",");
            String[] heap = run.values.getOrDefault("heap_bytes", "").split(",");
            int threads = 0;
            for (String t : run.values.getOrDefault("agent_threads", "").split(",")) {
                threads = t.isEmpty() ? threads : Math.max(threads, Integer.parseInt(t));
            }
            maxAgentThreads = threads;
            List<Double> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            for (int i = 0; i < heap.length && !heap[i].isEmpty(); i++) {
                double minute = Double.parseDouble(at[i]) / 60;
                minutes.add(minute);
                heapKib.add(Double.parseDouble(heap[i]) / 1024);
            }
            // The first fifth is warm-up (class loading, JIT, pools filling): the slope is fitted after it.
            double last = minutes.isEmpty() ? 0 : minutes.get(minutes.size() - 1);
            for (int i = 0; i < minutes.size(); i++) {
                if (minutes.get(i) >= last / 5) {
                    x.add(minutes.get(i));
                    y.add(heapKib.get(i));
                }
            }
            fit = Fit.of(x, y);
        }
    }

    /** The heap figures are the live set: a serial collector, and the same heap bound on both sides. */
    static final List<String> JVM_ARGS = List.of("-XX:+UseSerialGC", "-Xmx1g");

    static void run(Bench bench, DeepgramSimulator simulator, Report report, int minutes) throws Exception {
        long seconds = minutes * 60L;
        // Each minute over 10 minutes; about eight samples in a shorter soak.
        long sampleSeconds = Math.max(5, Math.min(60, seconds / 8));
        List<String> args = List.of(simulator.listenUrl(), String.valueOf(seconds), String.valueOf(SLOTS), String.valueOf(sampleSeconds));
        long timeout = seconds + 180;
        Bench.progress("soak: " + SLOTS + " sessions for " + minutes + " min with the agent");
        int port = Bench.freePort();
        List<String> agentJvm = new ArrayList<>(JVM_ARGS);
        agentJvm.addAll(bench.agentArgsOnPort(port));
        Side agent = new Side(bench.run(agentJvm, SoakApp.class, Bench.concat(args, port, SEED), timeout));
        Bench.progress("soak: the same " + minutes + " min without the agent");
        Side plain = new Side(bench.run(JVM_ARGS, SoakApp.class, Bench.concat(args, -1, SEED), timeout));

        double started = agent.run.number("sessions_started");
        double opened = agent.run.number("agent_sessions_opened");
        double ended = agent.run.number("agent_sessions_ended");
        double handshakes = agent.run.number("agent_handshake_failures");
        double active = agent.run.number("agent_sessions_active");
        double errors = agent.run.number("agent_internal_errors");
        double leftOpen = agent.run.number("left_open");
        double cpuRatio = agent.run.number("cpu_seconds") / plain.run.number("cpu_seconds");
        // With the agent, the sessions that pause survive (Deepgram ends them without it): more audio is sent.
        // CPU per chunk sent compares the same work.
        double cpuPerChunkRatio = cpuRatio / (agent.run.number("chunks_sent") / plain.run.number("chunks_sent"));
        double slopeDiff = agent.fit.slope - plain.fit.slope;
        double noise = 2 * Math.sqrt(sq(agent.fit.standardError) + sq(plain.fit.standardError));
        boolean flat = slopeDiff <= FLAT_KIB_PER_MINUTE || slopeDiff <= noise;
        boolean counted = ended == started && active == 0;

        report.headline("soak_minutes", minutes, 0, null);
        report.headline("soak_heap_slope_kib_per_min", agent.fit.slope, 1, flat);
        report.headline("soak_plain_heap_slope_kib_per_min", plain.fit.slope, 1, null);
        report.headline("soak_cpu_per_chunk_ratio", cpuPerChunkRatio, 4, cpuPerChunkRatio <= CPU_GOAL);
        report.headline("soak_cpu_ratio", cpuRatio, 4, null);
        report.headline("soak_agent_threads", agent.maxAgentThreads, 0, null);
        report.headline("soak_internal_errors", errors, 0, errors == 0);
        report.headline("soak_sessions_started", started, 0, null);
        report.headline("soak_sessions_opened", opened, 0, null);
        report.headline("soak_sessions_ended", ended, 0, counted);
        report.headline("soak_sessions_active_at_end", active, 0, active == 0);
        report.row("soak " + minutes + " min, heap slope after full GC", fmt(plain.fit), fmt(agent.fit),
                String.format(Locale.ROOT, "%+.0f KiB/min", slopeDiff), "within noise", flat);
        report.row("soak, CPU seconds per 1000 chunks sent", perThousand(plain.run), perThousand(agent.run),
                String.format(Locale.ROOT, "x%.4f", cpuPerChunkRatio), "<= x" + CPU_GOAL, cpuPerChunkRatio <= CPU_GOAL);
        report.row("soak, sessions started / ended (agent) / active at end", "", String.format(Locale.ROOT, "%.0f / %.0f / %.0f",
                started, ended, active), "", "equal, 0 active", counted);
        report.row("soak, internal errors", "", Report.fmt(errors, ""), "", "0", errors == 0);
        report.detail("soak_heap_kib_agent", agent.heapKib);
        report.detail("soak_heap_kib_plain", plain.heapKib);
        report.detail("soak_sample_minutes", agent.minutes);
        report.detail("soak_chunks_sent_agent", agent.run.number("chunks_sent"));
        report.detail("soak_chunks_sent_plain", plain.run.number("chunks_sent"));
        report.detail("soak_sessions_ended_early_agent", agent.run.number("sessions_ended_early"));
        report.detail("soak_sessions_ended_early_plain", plain.run.number("sessions_ended_early"));
        report.detail("soak_sessions_abandoned_agent", agent.run.number("sessions_abandoned"));
        report.detail("soak_sessions_abandoned_plain", plain.run.number("sessions_abandoned"));
        report.detail("soak_handshake_failures", handshakes);

        boolean hardChecks = errors == 0 && counted && leftOpen == 0;
        if (hardChecks) {
            writeDocs(minutes, agent, plain, cpuRatio, cpuPerChunkRatio, started, opened, ended, handshakes, active, errors, flat, noise);
        }
        if (!hardChecks) {
            throw new IllegalStateException("the soak broke a hard check: internal errors " + errors + ", sessions started " + started
                    + " vs ended " + ended + ", active at the end " + active + ", left open " + leftOpen
                    + "\n  " + String.join("\n  ", agent.run.output));
        }
    }

    private static String perThousand(JvmRun run) {
        return String.format(Locale.ROOT, "%.4f s", run.number("cpu_seconds") / run.number("chunks_sent") * 1000);
    }

    private static double sq(double v) {
        return Double.isNaN(v) ? 0 : v * v;
    }

    private static String fmt(Fit f) {
        return Double.isNaN(f.standardError) ? String.format(Locale.ROOT, "%+.0f KiB/min", f.slope)
                : String.format(Locale.ROOT, "%+.0f ±%.0f KiB/min", f.slope, f.standardError);
    }

    static final String START = "<!-- soak:start -->";
    static final String END = "<!-- soak:end -->";

    private static void writeDocs(int minutes, Side agent, Side plain, double cpuRatio, double cpuPerChunkRatio, double started,
                                  double opened, double ended, double handshakes, double active, double errors, boolean flat,
                                  double noise) throws Exception {
        Path doc = Paths.get("docs", "reliability.md");
        if (minutes < RECORDED_MINUTES || !Files.isRegularFile(doc)) {
            return;
        }
        StringBuilder t = new StringBuilder();
        t.append(String.format(Locale.ROOT, "Run %s on %d cores, %d min per side, %d sessions open at all times.%n%n",
                Instant.now().truncatedTo(ChronoUnit.MINUTES), Runtime.getRuntime().availableProcessors(), minutes, SLOTS));
        t.append("| figure | without the agent | with the agent | goal | met |\n|---|---|---|---|---|\n");
        t.append(String.format(Locale.ROOT, "| heap after full GC, slope (after the first fifth) | %s | %s | within 2 standard errors (%.0f KiB/min) or under %.0f KiB/min | %s |%n",
                fmt(plain.fit), fmt(agent.fit), noise, FLAT_KIB_PER_MINUTE, flat ? "yes" : "NO"));
        t.append(String.format(Locale.ROOT, "| heap after full GC, first / last sample | %.1f / %.1f MiB | %.1f / %.1f MiB | | |%n",
                first(plain.heapKib) / 1024, last(plain.heapKib) / 1024, first(agent.heapKib) / 1024, last(agent.heapKib) / 1024));
        t.append(String.format(Locale.ROOT, "| CPU seconds per 1000 chunks sent | %s | %s (x%.4f) | <= x%.2f | %s |%n", perThousand(plain.run),
                perThousand(agent.run), cpuPerChunkRatio, CPU_GOAL, cpuPerChunkRatio <= CPU_GOAL ? "yes" : "NO"));
        t.append(String.format(Locale.ROOT, "| CPU seconds | %.1f | %.1f (x%.4f) | | |%n", plain.run.number("cpu_seconds"),
                agent.run.number("cpu_seconds"), cpuRatio));
        t.append(String.format(Locale.ROOT, "| chunks sent (20 ms each) | %.0f | %.0f | | |%n", plain.run.number("chunks_sent"),
                agent.run.number("chunks_sent")));
        t.append(String.format(Locale.ROOT, "| sessions started / ended before the app's close (fault, idle) / abandoned by the app | %.0f / %.0f / %.0f | %.0f / %.0f / %.0f | | |%n",
                plain.run.number("sessions_started"), plain.run.number("sessions_ended_early"), plain.run.number("sessions_abandoned"),
                started, agent.run.number("sessions_ended_early"), agent.run.number("sessions_abandoned")));
        t.append(String.format(Locale.ROOT, "| the agent's threads (most at once) | | %d | | |%n", agent.maxAgentThreads));
        t.append(String.format(Locale.ROOT, "| sessions started by the app | %.0f | %.0f | | |%n", plain.run.number("sessions_started"),
                agent.run.number("sessions_started")));
        t.append(String.format(Locale.ROOT, "| agent: sessions ended = sessions the app started | | %.0f = %.0f (%.0f opened, %.0f handshake failures) | equal | %s |%n",
                ended, started, opened, handshakes, ended == started ? "yes" : "NO"));
        t.append(String.format(Locale.ROOT, "| agent: sessions active at the end | | %.0f | 0 | %s |%n", active, active == 0 ? "yes" : "NO"));
        t.append(String.format(Locale.ROOT, "| agent: internal errors | | %.0f | 0 | %s |%n", errors, errors == 0 ? "yes" : "NO"));
        t.append(String.format(Locale.ROOT, "%nHeap samples (MiB), with the agent: %s; without: %s.%n", mib(agent.heapKib), mib(plain.heapKib)));
        String text = Files.readString(doc, StandardCharsets.UTF_8);
        int a = text.indexOf(START);
        int b = text.indexOf(END);
        if (a < 0 || b < a) {
            return;
        }
        Files.writeString(doc, text.substring(0, a + START.length()) + "\n" + t + text.substring(b), StandardCharsets.UTF_8);
    }

    private static double first(List<Double> v) {
        return v.isEmpty() ? Double.NaN : v.get(0);
    }

    private static double last(List<Double> v) {
        return v.isEmpty() ? Double.NaN : v.get(v.size() - 1);
    }

    private static String mib(List<Double> kib) {
        List<String> out = new ArrayList<>();
        kib.forEach(k -> out.add(String.format(Locale.ROOT, "%.1f", k / 1024)));
        return String.join(", ", out);
    }
}
