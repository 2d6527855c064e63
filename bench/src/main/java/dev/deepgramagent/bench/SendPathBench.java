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
 * JMH on each instrumented library's audio send ({@code RealWebSocket.send(ByteString)}, the JDK's
 * {@code WebSocket.sendBinary}, a Netty {@code BinaryWebSocketFrame} written to a channel): without the agent, and with it on a tracked (Deepgram) and an
 * untracked socket; ns/op and bytes allocated per op from the GC profiler.
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
        Bench.progress("send path: JMH without the agent");
        Score plain = measure(bench, List.of(), SendBenchmark.TRACKED_PATH).get(0);
        Bench.progress("send path: JMH with the agent, tracked and untracked socket");
        // The metrics endpoint lets each fork check that the agent tracked the socket it measured.
        int port = Bench.freePort();
        List<String> agentArgs = Bench.concat(bench.agentArgsOnPort(port), "-D" + SendBenchmark.METRICS_PORT_PROPERTY + "=" + port);
        List<Score> withAgent = measure(bench, agentArgs, SendBenchmark.TRACKED_PATH, SendBenchmark.UNTRACKED_PATH);
        Score tracked = withAgent.get(0);
        Score untracked = withAgent.get(1);

        double trackedAdded = tracked.nanos - plain.nanos;
        double untrackedAdded = untracked.nanos - plain.nanos;
        double allocAdded = tracked.allocBytes - plain.allocBytes;
        report.headline("send_overhead_ns", trackedAdded, 1, trackedAdded <= 25);
        report.headline("send_alloc_bytes", allocAdded, 2, Math.round(allocAdded) <= 0);
        report.headline("untracked_overhead_ns", untrackedAdded, 1, untrackedAdded <= 5);
        report.row("send(ByteString) 640 B, Deepgram socket", ns(plain), ns(tracked), Report.signed(trackedAdded, "ns"), "<= +25 ns", trackedAdded <= 25);
        report.row("  allocation per send, Deepgram socket", Report.fmt(plain.allocBytes, "B"), Report.fmt(tracked.allocBytes, "B"),
                Report.signed(allocAdded, "B"), "+0 B", Math.round(allocAdded) <= 0);
        report.row("send(ByteString) 640 B, other socket", ns(plain), ns(untracked), Report.signed(untrackedAdded, "ns"), "<= +5 ns", untrackedAdded <= 5);
        report.detail("send_plain_ns", plain.nanos);
        report.detail("send_plain_error_ns", plain.error);
        report.detail("send_tracked_ns", tracked.nanos);
        report.detail("send_tracked_error_ns", tracked.error);
        report.detail("send_untracked_ns", untracked.nanos);
        report.detail("send_untracked_error_ns", untracked.error);
        report.detail("send_plain_alloc_bytes", plain.allocBytes);
        report.detail("send_tracked_alloc_bytes", tracked.allocBytes);
        report.detail("send_untracked_alloc_bytes", untracked.allocBytes);

        // The JDK's java.net.http.WebSocket.sendBinary, Netty's frame write, nv-websocket's, Java-WebSocket's, Jetty's and Tyrus's sends: the same goals.
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
     * {@code <prefix>_untracked_overhead_ns}): its JMH benchmark without the agent, then with it on a
     * tracked and an untracked socket.
     */
    private static void library(Bench bench, Report report, String prefix, String what, Class<?> benchmark,
                                List<String> jvmArgs, String trackedPath, String untrackedPath) throws Exception {
        Bench.progress("send path: " + what + ", JMH without the agent");
        Score plain = measure(bench, jvmArgs, benchmark, trackedPath).get(0);
        Bench.progress("send path: " + what + ", JMH with the agent, tracked and untracked socket");
        int port = Bench.freePort();
        List<String> agentArgs = Bench.concat(Bench.concat(bench.agentArgsOnPort(port),
                "-D" + SendBenchmark.METRICS_PORT_PROPERTY + "=" + port), jvmArgs.toArray(new String[0]));
        List<Score> withAgent = measure(bench, agentArgs, benchmark, trackedPath, untrackedPath);
        Score tracked = withAgent.get(0);
        Score untracked = withAgent.get(1);
        double added = tracked.nanos - plain.nanos;
        double untrackedAdded = untracked.nanos - plain.nanos;
        double alloc = tracked.allocBytes - plain.allocBytes;
        report.headline(prefix + "_send_overhead_ns", added, 1, added <= 25);
        report.headline(prefix + "_send_alloc_bytes", alloc, 2, Math.round(alloc) <= 0);
        report.headline(prefix + "_untracked_overhead_ns", untrackedAdded, 1, untrackedAdded <= 5);
        report.row(what + ", Deepgram socket", ns(plain), ns(tracked), Report.signed(added, "ns"), "<= +25 ns", added <= 25);
        report.row("  allocation per send, Deepgram socket", Report.fmt(plain.allocBytes, "B"), Report.fmt(tracked.allocBytes, "B"),
                Report.signed(alloc, "B"), "+0 B", Math.round(alloc) <= 0);
        report.row(what + ", other socket", ns(plain), ns(untracked), Report.signed(untrackedAdded, "ns"), "<= +5 ns",
                untrackedAdded <= 5);
        report.detail(prefix + "_send_plain_ns", plain.nanos);
        report.detail(prefix + "_send_plain_error_ns", plain.error);
        report.detail(prefix + "_send_tracked_ns", tracked.nanos);
        report.detail(prefix + "_send_tracked_error_ns", tracked.error);
        report.detail(prefix + "_send_untracked_ns", untracked.nanos);
        report.detail(prefix + "_send_untracked_error_ns", untracked.error);
    }

    /** {@code 13.5 ns ±3.12}: a JMH score with its error. */
    static String ns(Score s) {
        return Report.fmt(s.nanos, "ns") + " ±" + Report.fmt(s.error, "");
    }

    /** One JMH run in forked JVMs with these extra JVM arguments; one score per path, in order. */
    private static List<Score> measure(Bench bench, List<String> extraJvmArgs, String... paths) throws RunnerException {
        return measure(bench, extraJvmArgs, SendBenchmark.class, paths);
    }

    private static List<Score> measure(Bench bench, List<String> extraJvmArgs, Class<?> benchmark, String... paths)
            throws RunnerException {
        return measureMethod(bench, extraJvmArgs, benchmark, "send", paths);
    }

    /** One JMH run of {@code benchmark.method} in forked JVMs; one score per path, in order. */
    static List<Score> measureMethod(Bench bench, List<String> extraJvmArgs, Class<?> benchmark, String method, String... paths)
            throws RunnerException {
        List<String> jvmArgs = new ArrayList<>(List.of("-Xms256m", "-Xmx256m"));
        jvmArgs.addAll(extraJvmArgs);
        Settings s = bench.settings;
        Options options = new OptionsBuilder()
                .include(benchmark.getName() + "." + method + "$")
                .param("path", paths)
                .jvm(bench.java.toString())
                .jvmArgs(jvmArgs.toArray(new String[0]))
                .forks(s.jmhForks)
                .warmupIterations(s.jmhWarmups)
                .warmupTime(TimeValue.seconds(1))
                .measurementIterations(s.jmhIterations)
                .measurementTime(TimeValue.seconds(1))
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
            scores.add(new Score(r.getPrimaryResult().getScore(), r.getPrimaryResult().getScoreError(), allocation(r)));
        }
        return scores;
    }

    private static double allocation(RunResult r) {
        for (Map.Entry<String, Result> e : r.getSecondaryResults().entrySet()) {
            if (e.getKey().endsWith("gc.alloc.rate.norm")) {
                return e.getValue().getScore();
            }
        }
        BenchmarkParams p = r.getParams();
        throw new IllegalStateException("the GC profiler gave no allocation figure for " + p.getBenchmark());
    }
}
