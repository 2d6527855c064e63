package dev.deepgramagent.bench.apps;

import okhttp3.OkHttpClient;

/**
 * The first-session benchmark's app, run in a fresh JVM: the time from its first
 * {@code newWebSocket} to {@code onOpen}. With the agent this is where the deferred instrumentation
 * is paid (the first load of OkHttp's WebSocket classes waits for the agent to be ready).
 */
public final class FirstSessionApp {

    private FirstSessionApp() {
    }

    public static void main(String[] args) throws Exception {
        String url = args[0];
        OkHttpClient client = Sessions.client(1);
        long start = System.nanoTime();
        Sessions.Tracked session = Sessions.open(client, url);
        session.awaitOpen(30);
        long openNanos = System.nanoTime() - start;
        ProcStatus.report("first_open_us", openNanos / 1_000);
        session.socket.cancel();
        ProcStatus.report("peak_rss_kib", ProcStatus.peakRssKib());
        Sessions.shutdown(client);
        System.exit(0);
    }
}
