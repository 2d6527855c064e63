package dev.deepgramagent.bench;

import dev.deepgramagent.bench.jmh.JavaWebSocketSendBenchmark;
import dev.deepgramagent.bench.jmh.JettySendBenchmark;
import dev.deepgramagent.bench.jmh.TyrusSendBenchmark;
import dev.deepgramagent.bench.jmh.JdkSendBenchmark;
import dev.deepgramagent.bench.jmh.NettySendBenchmark;
import dev.deepgramagent.bench.jmh.NvSendBenchmark;
import dev.deepgramagent.bench.jmh.SendBenchmark;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * JMH on each instrumented library's audio send (OkHttp's {@code RealWebSocket.send(ByteString)}, the
 * JDK's {@code WebSocket.sendBinary}, a Netty {@code BinaryWebSocketFrame} written to a channel, and
 * nv-websocket's, Java-WebSocket's, Jetty's and Tyrus's): on a tracked (Deepgram) and an untracked
 * socket, each without the agent and with it, in alternating rounds; ns/op and bytes allocated per op
 * from the GC profiler.
 */
final class SendPathBench {

    private SendPathBench() {
    }

    static final class Score {
        final double nanos;
        final double error;
        final double allocBytes;

        Score(double nanos, double error, double allocBytes) {
            this.nanos = nanos;
            this.error = error;
            this.allocBytes = allocBytes;
        }
    }

    static void run(Bench bench, Report report) throws Exception {
        // OkHttp's RealWebSocket.send(ByteString), then the JDK's sendBinary, Netty's frame write, nv-websocket's,
        // Java-WebSocket's, Jetty's and Tyrus's sends: the same goals. OkHttp's figures keep their first names.
        library(bench, report, "", "send(ByteString) 640 B", SendBenchmark.class, List.of(),
                SendBenchmark.TRACKED_PATH, SendBenchmark.UNTRACKED_PATH);
        library(bench, report, "jdk", "JDK sendBinary 640 B", JdkSendBenchmark.class, List.of(JdkSendBenchmark.OPENS),
                JdkSendBenchmark.TRACKED_PATH, JdkSendBenchmark.UNTRACKED_PATH);
        library(bench, report, "netty", "Netty BinaryWebSocketFrame 640 B", NettySendBenchmark.class, List.of(NettySendBenchmark.NO_LEAK_DETECTION),
                NettySendBenchmark.TRACKED_PATH, NettySendBenchmark.UNTRACKED_PATH);
        library(bench, report, "nv_websocket", "nv-websocket sendBinary 640 B", NvSendBenchmark.class, List.of(),
                NvSendBenchmark.TRACKED_PATH, NvSendBenchmark.UNTRACKED_PATH);
        library(bench, report, "java_websocket", "Java-WebSocket send(byte[]) " + JavaWebSocketSendBenchmark.FRAME_BYTES + " B", JavaWebSocketSendBenchmark.class, List.of(),
                JavaWebSocketSendBenchmark.TRACKED_PATH, JavaWebSocketSendBenchmark.UNTRACKED_PATH);
        library(bench, report, "jetty", "Jetty sendBinary 640 B", JettySendBenchmark.class, List.of(),
                JettySendBenchmark.TRACKED_PATH, JettySendBenchmark.UNTRACKED_PATH);
        library(bench, report, "jakarta", "Tyrus Basic.sendBinary " + TyrusSendBenchmark.FRAME_BYTES + " B", TyrusSendBenchmark.class, List.of(),
                TyrusSendBenchmark.TRACKED_PATH, TyrusSendBenchmark.UNTRACKED_PATH);
    }

    /**
     * One library's rows and headlines ({@code <prefix>_send_overhead_ns}, {@code <prefix>_send_alloc_bytes},
     * {@code <prefix>_untracked_overhead_ns}; OkHttp's without the prefix): {@link Settings#jmhRounds}
     * rounds of a fork per socket (tracked and untracked) without the agent, then with it. Each socket
     * is compared with the same socket without the agent: the two are different sessions on different
     * paths of the simulator, and this removes any fixed difference between them. Each figure is the
     * median of the per-round differences, shown with their range: a fork's JIT decisions move these
     * paths by about 10 ns, so a single pair of forks cannot tell +20 from +30.
     */
    private static void library(Bench bench, Report report, String prefix, String what, Class<?> benchmark,
                                List<String> jvmArgs, String trackedPath, String untrackedPath) throws Exception {
        String p = prefix.isEmpty() ? "" : prefix + "_";
        int port = Bench.freePort();
        // The metrics endpoint lets each fork check that the agent tracked the socket it measured.
        List<String> agentArgs = Bench.concat(Bench.concat(bench.agentArgsOnPort(port),
                "-D" + SendBenchmark.METRICS_PORT_PROPERTY + "=" + port), jvmArgs.toArray(new String[0]));
        List<Score> plain = new ArrayList<>();
        List<Score> plainUntracked = new ArrayList<>();
        List<Score> tracked = new ArrayList<>();
        List<Score> untracked = new ArrayList<>();
        List<Double> added = new ArrayList<>();
        List<Double> untrackedAdded = new ArrayList<>();
        List<Double> alloc = new ArrayList<>();
        int rounds = bench.settings.jmhRounds;
        for (int round = 1; round <= rounds; round++) {
            // Which side goes first alternates too, so that drift within a round does not always favour one.
            boolean plainFirst = round % 2 == 1;
            Bench.progress("send path: " + what + ", round " + round + " of " + rounds + ": JMH " + (plainFirst ? "without the agent, then with it" : "with the agent, then without it")
                    + " (a tracked and an untracked socket each)");
            List<Score> without = plainFirst ? measureMethod(bench, jvmArgs, benchmark, "send", 1, trackedPath, untrackedPath) : null;
            List<Score> with = measureMethod(bench, agentArgs, benchmark, "send", 1, trackedPath, untrackedPath);
            if (without == null) {
                without = measureMethod(bench, jvmArgs, benchmark, "send", 1, trackedPath, untrackedPath);
            }
            plain.add(without.get(0));
            plainUntracked.add(without.get(1));
            tracked.add(with.get(0));
            untracked.add(with.get(1));
            added.add(with.get(0).nanos - without.get(0).nanos);
            untrackedAdded.add(with.get(1).nanos - without.get(1).nanos);
            alloc.add(with.get(0).allocBytes - without.get(0).allocBytes);
        }
        double addedMedian = Stats.median(added);
        double untrackedMedian = Stats.median(untrackedAdded);
        double allocMedian = Stats.median(alloc);
        report.headline(p + "send_overhead_ns", addedMedian, 1, addedMedian <= 25);
        report.headline(p + "send_alloc_bytes", allocMedian, 2, Math.round(allocMedian) <= 0);
        report.headline(p + "untracked_overhead_ns", untrackedMedian, 1, untrackedMedian <= 5);
        report.row(what + ", Deepgram socket", ns(plain), ns(tracked), Report.signed(addedMedian, "ns") + " " + Stats.range(added, "ns"),
                "<= +25 ns", addedMedian <= 25);
        report.row("  allocation per send, Deepgram socket", Report.fmt(median(plain, true), "B"), Report.fmt(median(tracked, true), "B"),
                Report.signed(allocMedian, "B") + " " + Stats.range(alloc, "B"), "+0 B", Math.round(allocMedian) <= 0);
        report.row(what + ", other socket", ns(plainUntracked), ns(untracked), Report.signed(untrackedMedian, "ns") + " " + Stats.range(untrackedAdded, "ns"),
                "<= +5 ns", untrackedMedian <= 5);
        report.detail(p + "send_rounds", rounds);
        report.detail(p + "send_plain_ns", median(plain, false));
        report.detail(p + "send_plain_error_ns", medianError(plain));
        report.detail(p + "send_plain_untracked_ns", median(plainUntracked, false));
        report.detail(p + "send_plain_untracked_error_ns", medianError(plainUntracked));
        report.detail(p + "send_plain_untracked_alloc_bytes", median(plainUntracked, true));
        report.detail(p + "send_tracked_ns", median(tracked, false));
        report.detail(p + "send_tracked_error_ns", medianError(tracked));
        report.detail(p + "send_untracked_ns", median(untracked, false));
        report.detail(p + "send_untracked_error_ns", medianError(untracked));
        report.detail(p + "send_plain_alloc_bytes", median(plain, true));
        report.detail(p + "send_tracked_alloc_bytes", median(tracked, true));
        report.detail(p + "send_untracked_alloc_bytes", median(untracked, true));
        report.detail(p + "send_added_per_round_ns", added);
        report.detail(p + "send_untracked_added_per_round_ns", untrackedAdded);
        report.detail(p + "send_alloc_added_per_round_bytes", alloc);
    }

    private static double median(List<Score> scores, boolean alloc) {
        List<Double> values = new ArrayList<>();
        for (Score s : scores) {
            values.add(alloc ? s.allocBytes : s.nanos);
        }
        return Stats.median(values);
    }

    private static double medianError(List<Score> scores) {
        List<Double> values = new ArrayList<>();
        for (Score s : scores) {
            values.add(s.error);
        }
        return Stats.median(values);
    }

    /** {@code 13.5 ns ±3.12}: the median of the rounds' scores with the median of their JMH errors. */
    static String ns(List<Score> scores) {
        return Report.fmt(median(scores, false), "ns") + " ±" + Report.fmt(medianError(scores), "");
    }

    /** {@code 13.5 ns ±3.12}: a JMH score with its error. */
    static String ns(Score s) {
        return Report.fmt(s.nanos, "ns") + " ±" + Report.fmt(s.error, "");
    }

    /** One JMH run of {@code benchmark.method} in forked JVMs; one score per path, in order. */
    static List<Score> measureMethod(Bench bench, List<String> extraJvmArgs, Class<?> benchmark, String method, int forks, String... paths)
            throws RunnerException {
        List<String> jvmArgs = new ArrayList<>(List.of("-Xms256m", "-Xmx256m"));
        jvmArgs.addAll(extraJvmArgs);
        Settings s = bench.settings;
        Options options = new OptionsBuilder()
                .include(benchmark.getName() + "." + method + "$")
                .param("path", paths)
                .jvm(bench.java.toString())
                .jvmArgs(jvmArgs.toArray(new String[0]))
                .forks(forks)
                .warmupIterations(s.jmhWarmups)
                .warmupTime(TimeValue.seconds(1))
                .measurementIterations(s.jmhIterations)
                .measurementTime(TimeValue.milliseconds(s.jmhIterationMillis))
                .addProfiler(GCProfiler.class)
                .shouldFailOnError(true)
                .verbosity(VerboseMode.SILENT)
                .build();
        Collection<RunResult> results = new Runner(options).run();
        List<Score> scores = new ArrayList<>();
        for (String path : paths) {
            RunResult r = results.stream()
                    .filter(x -> path.equals(x.getParams().getParam("path")))
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException("JMH returned no result for " + path));
            scores.add(new Score(medianOfIterations(r), r.getPrimaryResult().getScoreError(), allocation(r)));
        }
        return scores;
    }

    /**
     * The median of the measured iterations rather than JMH's mean: on 2 shared cores one iteration in
     * a few lands on a garbage collection or another process's burst and reads several times the
     * others (JMH's error on a 75 ns path read ±135 ns), which the mean carries into the figure.
     */
    static double medianOfIterations(RunResult r) {
        List<Double> scores = perIteration(r, iteration -> iteration.getPrimaryResult().getScore());
        return scores.isEmpty() ? r.getPrimaryResult().getScore() : Stats.median(scores);
    }

    /** One value per measured iteration of every fork; iterations that have none are skipped. */
    private static List<Double> perIteration(RunResult r, java.util.function.Function<IterationResult, Double> value) {
        List<Double> values = new ArrayList<>();
        for (BenchmarkResult fork : r.getBenchmarkResults()) {
            for (IterationResult iteration : fork.getIterationResults()) {
                Double v = value.apply(iteration);
                if (v != null) {
                    values.add(v);
                }
            }
        }
        return values;
    }

    /**
     * Bytes allocated per call: the median of the measured iterations, like the time. JMH's GC profiler
     * counts a fork's trial teardown into its last iteration: there the benchmark scrapes the agent's
     * metrics endpoint (to check what it tracked), the session ends and is logged, and the client
     * stops. In eight 0.5 s Jetty iterations, the last read +0.27 B per call with the agent (+0.14
     * without it) and every other 160.002 B, and JMH's mean carried that into the figure.
     */
    private static double allocation(RunResult r) {
        List<Double> norms = perIteration(r, iteration -> allocationOf(iteration.getSecondaryResults()));
        if (!norms.isEmpty()) {
            return Stats.median(norms);
        }
        Double whole = allocationOf(r.getSecondaryResults());
        if (whole != null) {
            return whole;
        }
        BenchmarkParams p = r.getParams();
        throw new IllegalStateException("the GC profiler gave no allocation figure for " + p.getBenchmark());
    }

    private static Double allocationOf(Map<String, Result> secondary) {
        for (Map.Entry<String, Result> e : secondary.entrySet()) {
            if (e.getKey().endsWith("gc.alloc.rate.norm")) {
                return e.getValue().getScore();
            }
        }
        return null;
    }
}
