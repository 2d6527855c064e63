package dev.deepgramagent.bench.apps;

import okhttp3.OkHttpClient;

/**
 * The first-session benchmark's app, run in a fresh JVM: the time from its first
 * {@code newWebSocket} to {@code onOpen}. With the agent this is where the deferred instrumentation
 * is paid (the first load of OkHttp's WebSocket classes waits for the agent to be ready).
 * Arguments: url metricsPort (the agent's, or -1 without it).
 */
public final class FirstSessionApp {

    private FirstSessionApp() {
    }

    public static void main(String[] args) throws Exception {
        String url = args[0];
        int metricsPort = Integer.parseInt(args[1]);
        OkHttpClient client = Sessions.client(1);
        long start = System.nanoTime();
        Sessions.Tracked session = Sessions.open(client, url);
        session.awaitOpen(30);
        long openNanos = System.nanoTime() - start;
        ProcStatus.report("first_open_us", openNanos / 1_000);
        ProcStatus.report("peak_rss_kib", ProcStatus.peakRssKib());
        if (metricsPort > 0) {
            // The control: the session timed is one the agent tracks, so it was instrumented.
            ProcStatus.report("agent_sessions_active", AgentMetricsReader.await(metricsPort, AgentMetricsReader.SESSIONS_ACTIVE, 1, 10));
        }
        session.socket.cancel();
        Sessions.shutdown(client);
        System.exit(0);
    }
}
