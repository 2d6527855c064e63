package dev.deepgramagent.it.apps;

import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import okio.ByteString;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An app caught in a Deepgram outage: args[1] sessions on OkHttp and as many on the JDK's client,
 * streaming real-time audio (100 ms chunks) to args[0]. It prints {@code OPEN n} once every session
 * is open, keeps streaming until the server ends them all (the test triggers the outage), then
 * prints how they ended, what reached the app, and the agent's metrics from its endpoint (args[2]).
 *
 * <p>"Unaffected" is checked from the app's side: no send may throw (OkHttp's returns false on a
 * closed socket; the JDK's completes its future exceptionally), and every session ends through the
 * library's own callbacks.
 */
public final class OutageApp {

    private static final byte[] CHUNK = new byte[3200]; // 100 ms of 16 kHz linear16
    private static final AtomicInteger UNEXPECTED = new AtomicInteger();

    public static void main(String[] args) throws Exception {
        String url = args[0];
        int perLibrary = Integer.parseInt(args[1]);
        int total = perLibrary * 2;
        CountDownLatch opened = new CountDownLatch(total);
        CountDownLatch ended = new CountDownLatch(total);
        Queue<WebSocket> okSockets = new ConcurrentLinkedQueue<>();
        Queue<JdkSocket> jdkSockets = new ConcurrentLinkedQueue<>();

        Dispatcher dispatcher = new Dispatcher();
        dispatcher.setMaxRequests(total);
        dispatcher.setMaxRequestsPerHost(total);
        OkHttpClient okhttp = new OkHttpClient.Builder().dispatcher(dispatcher).build();
        for (int i = 0; i < perLibrary; i++) {
            okhttp.newWebSocket(new Request.Builder().url(url).header("Authorization", "Token secret-test-key").build(),
                    new WebSocketListener() {
                        private boolean done;

                        @Override
                        public void onOpen(WebSocket ws, Response response) {
                            okSockets.add(ws);
                            opened.countDown();
                        }

                        @Override
                        public void onClosing(WebSocket ws, int code, String reason) {
                            ws.close(code == 1005 ? 1000 : code, null);
                        }

                        @Override
                        public synchronized void onClosed(WebSocket ws, int code, String reason) {
                            end();
                        }

                        @Override
                        public synchronized void onFailure(WebSocket ws, Throwable t, Response response) {
                            end();
                        }

                        private synchronized void end() {
                            if (!done) {
                                done = true;
                                ended.countDown();
                            }
                        }
                    });
        }

        HttpClient jdk = HttpClient.newHttpClient();
        for (int i = 0; i < perLibrary; i++) {
            JdkSocket socket = new JdkSocket(ended);
            jdk.newWebSocketBuilder().header("Authorization", "Token secret-test-key")
                    .buildAsync(URI.create(url), socket)
                    .whenComplete((ws, error) -> {
                        if (ws != null) {
                            socket.ws = ws;
                            jdkSockets.add(socket);
                            opened.countDown();
                        } else {
                            socket.end();
                        }
                    });
        }

        ScheduledExecutorService audio = Executors.newSingleThreadScheduledExecutor();
        audio.scheduleAtFixedRate(() -> {
            ByteString chunk = ByteString.of(CHUNK);
            for (WebSocket ws : okSockets) {
                try {
                    ws.send(chunk); // false once closed: the app's own concern
                } catch (Throwable t) {
                    UNEXPECTED.incrementAndGet();
                }
            }
            for (JdkSocket s : jdkSockets) {
                s.sendChunk();
            }
        }, 0, 100, TimeUnit.MILLISECONDS);

        if (!opened.await(60, TimeUnit.SECONDS)) {
            System.out.println("OUTAGE not all open: " + (total - opened.getCount()) + " of " + total);
            System.exit(1);
        }
        System.out.println("OPEN " + total);
        long start = System.nanoTime();
        boolean all = ended.await(60, TimeUnit.SECONDS);
        System.out.println("OUTAGE ended=" + all + " remaining=" + ended.getCount()
                + " millis=" + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        audio.shutdownNow();
        System.out.println("APP unexpected=" + UNEXPECTED.get());

        HttpResponse<String> metrics = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + args[2] + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        for (String line : metrics.body().split("\n")) {
            for (String family : List.of("deepgram_agent_sessions_ended_total{", "deepgram_agent_sessions_active{",
                    "deepgram_agent_internal_errors_total{", "deepgram_agent_sessions_opened_total{")) {
                if (line.startsWith(family) && !line.endsWith(" 0.0")) {
                    System.out.println("METRIC " + line);
                }
            }
        }
        okhttp.dispatcher().executorService().shutdown();
        okhttp.connectionPool().evictAll();
        System.exit(0);
    }

    /** A JDK socket: one send outstanding at a time, as the client requires. */
    private static final class JdkSocket implements java.net.http.WebSocket.Listener {
        private final CountDownLatch ended;
        volatile java.net.http.WebSocket ws;
        private CompletableFuture<java.net.http.WebSocket> pending = CompletableFuture.completedFuture(null);
        private boolean done;

        JdkSocket(CountDownLatch ended) {
            this.ended = ended;
        }

        synchronized void sendChunk() {
            if (done || !pending.isDone()) {
                return;
            }
            try {
                pending = ws.sendBinary(ByteBuffer.wrap(CHUNK), true);
            } catch (Throwable t) {
                UNEXPECTED.incrementAndGet(); // IllegalStateException would mean a second outstanding send
            }
        }

        @Override
        public CompletionStage<?> onClose(java.net.http.WebSocket webSocket, int statusCode, String reason) {
            end();
            return null;
        }

        @Override
        public void onError(java.net.http.WebSocket webSocket, Throwable error) {
            end();
        }

        synchronized void end() {
            if (!done) {
                done = true;
                ended.countDown();
            }
        }
    }
}
