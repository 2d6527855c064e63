package dev.deepgramagent.bench.apps;

import okhttp3.OkHttpClient;
import okio.ByteString;

import java.util.ArrayList;
import java.util.List;

/**
 * The leak check's app (run with -XX:+UseSerialGC so a full collection leaves exactly the live
 * set). Arguments: url total concurrency metricsPort. Opens, streams to and closes {@code total}
 * real OkHttp sessions, {@code concurrency} at a time, then reports the live heap left behind per
 * session, how many of the agent's per-session objects are still alive (a class histogram after a
 * full collection) and, with the agent (metricsPort &gt; 0), how many sessions it still counts.
 */
public final class LeakCheckApp {

    private static final ByteString FRAME = ByteString.of(new byte[640]);
    /** What the agent keeps per session: the session and its slot in the socket lookup table. */
    private static final List<String> SESSION_STATE_CLASSES = List.of(
            "dev.deepgramagent.core.session.Session", "dev.deepgramagent.core.session.SessionTable$Slot");

    private LeakCheckApp() {
    }

    public static void main(String[] args) throws Exception {
        String url = args[0];
        int total = Integer.parseInt(args[1]);
        int concurrency = Integer.parseInt(args[2]);
        int metricsPort = Integer.parseInt(args[3]);
        // One full session first, on a client of its own, so that lazily started parts (OkHttp's
        // task runner, the agent's logging, metrics and timers) are in the baseline.
        OkHttpClient warmUp = Sessions.client(1);
        runWave(warmUp, url, 1);
        if (metricsPort > 0) {
            // The scrapes at the end load the JDK's HTTP client and the endpoint's request handling
            // and locale data (about 1 MB); scrape here, once the endpoint answers, so that this is
            // in the baseline too.
            AgentMetricsReader.await(metricsPort, AgentMetricsReader.SESSIONS_ACTIVE, 0, 10);
        }
        Sessions.shutdownAndWait(warmUp);
        long baseline = ProcStatus.liveHeapBytes();

        OkHttpClient client = Sessions.client(concurrency);
        long started = System.nanoTime();
        for (int done = 0; done < total; done += concurrency) {
            runWave(client, url, Math.min(concurrency, total - done));
        }
        ProcStatus.report("sessions_seconds", (System.nanoTime() - started) / 1e9);
        if (metricsPort > 0) {
            ProcStatus.report("agent_sessions_active", AgentMetricsReader.await(metricsPort, AgentMetricsReader.SESSIONS_ACTIVE, 0, 10));
            // Each session left the agent through its end, not through the sweep of sessions
            // whose socket was collected without one (root cause unknown), which would also
            // leave nothing behind.
            double opened = AgentMetricsReader.sum(metricsPort, AgentMetricsReader.SESSIONS_OPENED);
            ProcStatus.report("agent_sessions_opened", opened);
            ProcStatus.report("agent_sessions_ended", AgentMetricsReader.await(metricsPort, AgentMetricsReader.SESSIONS_ENDED, opened, 10));
            ProcStatus.report("agent_sessions_ended_unknown",
                    AgentMetricsReader.sum(metricsPort, AgentMetricsReader.SESSIONS_ENDED, "root_cause=\"unknown\""));
        }
        // Each of OkHttp's reader threads keeps a few KB of NIO buffers while it idles: let them end.
        Sessions.shutdownAndWait(client);
        long after = ProcStatus.liveHeapBytes();
        ProcStatus.report("left_per_session_bytes", (after - baseline) / (double) total);
        // The exact answer to "no session state left behind": the agent's per-session objects
        // still alive after a full collection. The heap figure above is context (see
        // FootprintBench.leak).
        ProcStatus.report("session_objects_left", ProcStatus.liveInstances(SESSION_STATE_CLASSES));

        // The control: with one session open, the same count must see the agent's objects.
        OkHttpClient probeClient = Sessions.client(1);
        Sessions.Tracked probe = Sessions.open(probeClient, url);
        probe.awaitOpen(60);
        ProcStatus.report("session_objects_one_open", ProcStatus.liveInstances(SESSION_STATE_CLASSES));
        probe.socket.close(1000, null);
        probe.awaitEnd(60);
        Sessions.shutdown(probeClient);
        System.exit(0);
    }

    /** Opens n sessions, sends a frame on each, closes each with 1000 and waits for every end. */
    private static void runWave(OkHttpClient client, String url, int n) throws InterruptedException {
        List<Sessions.Tracked> wave = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            wave.add(Sessions.open(client, url));
        }
        for (Sessions.Tracked s : wave) {
            s.awaitOpen(60);
            s.socket.send(FRAME);
            s.socket.close(1000, null);
        }
        for (Sessions.Tracked s : wave) {
            s.awaitEnd(60);
        }
    }
}
