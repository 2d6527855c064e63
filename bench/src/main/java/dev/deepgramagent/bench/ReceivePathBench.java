package dev.deepgramagent.bench;

import dev.deepgramagent.bench.jmh.ReceiveBenchmark;
import dev.deepgramagent.bench.jmh.SendBenchmark;

import java.util.List;

/**
 * JMH on the receive path: a typical {@code Results} message through OkHttp's
 * {@code onReadMessage} on a Deepgram socket, without and with the agent, beside the app's own
 * Jackson parse of the same message. Goal: at most 1 µs added, and at most 10 % of that parse.
 */
final class ReceivePathBench {

    private ReceivePathBench() {
    }

    static void run(Bench bench, Report report) throws Exception {
        Bench.progress("receive path: JMH without the agent, and the app's Jackson parse");
        SendPathBench.Score plain = SendPathBench.measureMethod(bench, List.of(), ReceiveBenchmark.class, "receive", bench.settings.jmhForks, SendBenchmark.TRACKED_PATH).get(0);
        SendPathBench.Score jackson = SendPathBench.measureMethod(bench, List.of(), ReceiveBenchmark.class, "jacksonParse", bench.settings.jmhForks, SendBenchmark.TRACKED_PATH).get(0);
        Bench.progress("receive path: JMH with the agent");
        int port = Bench.freePort();
        List<String> agentArgs = Bench.concat(bench.agentArgsOnPort(port), "-D" + SendBenchmark.METRICS_PORT_PROPERTY + "=" + port);
        SendPathBench.Score tracked = SendPathBench.measureMethod(bench, agentArgs, ReceiveBenchmark.class, "receive", bench.settings.jmhForks, SendBenchmark.TRACKED_PATH).get(0);

        double added = tracked.nanos - plain.nanos;
        double alloc = tracked.allocBytes - plain.allocBytes;
        double shareOfParse = added / jackson.nanos;
        boolean met = added <= 1000 && shareOfParse <= 0.10;
        String size = ReceiveBenchmark.RESULTS.length() + " B";
        report.headline("receive_overhead_ns", added, 1, added <= 1000);
        report.headline("receive_alloc_bytes", alloc, 1, null);
        report.headline("receive_share_of_jackson_parse", shareOfParse, 3, shareOfParse <= 0.10);
        report.row("receive Results " + size + ", Deepgram socket", SendPathBench.ns(plain), SendPathBench.ns(tracked), Report.signed(added, "ns"), "<= +1000 ns", added <= 1000);
        report.row("  allocation per message", Report.fmt(plain.allocBytes, "B"), Report.fmt(tracked.allocBytes, "B"),
                Report.signed(alloc, "B"), "(context)", null);
        report.row("  against the app's own Jackson parse of it", SendPathBench.ns(jackson), "",
                String.format(java.util.Locale.ROOT, "%.1f %%", 100 * shareOfParse), "<= 10 %", met);
        report.detail("receive_plain_ns", plain.nanos);
        report.detail("receive_plain_error_ns", plain.error);
        report.detail("receive_tracked_ns", tracked.nanos);
        report.detail("receive_tracked_error_ns", tracked.error);
        report.detail("receive_jackson_parse_ns", jackson.nanos);
        report.detail("receive_jackson_parse_error_ns", jackson.error);
        report.detail("receive_plain_alloc_bytes", plain.allocBytes);
        report.detail("receive_tracked_alloc_bytes", tracked.allocBytes);
        report.detail("receive_message_bytes", ReceiveBenchmark.RESULTS.length());
    }
}
