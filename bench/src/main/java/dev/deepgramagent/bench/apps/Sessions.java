package dev.deepgramagent.bench.apps;

import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Opening and ending OkHttp sessions to the simulator, shared by the forked apps. */
final class Sessions {

    static final String AUDIO_QUERY = "?encoding=linear16&sample_rate=16000&channels=1";
    /** Any key: the simulator only checks that one is given. */
    static final String API_KEY = "bench-not-a-real-key";

    private Sessions() {
    }

    /** A socket whose open and end can be awaited. */
    static final class Tracked extends WebSocketListener {
        final CountDownLatch opened = new CountDownLatch(1);
        final CountDownLatch ended = new CountDownLatch(1);
        volatile WebSocket socket;
        volatile Throwable failure;

        @Override
        public void onOpen(WebSocket webSocket, Response response) {
            opened.countDown();
        }

        @Override
        public void onClosing(WebSocket webSocket, int code, String reason) {
            webSocket.close(1000, null);
        }

        @Override
        public void onClosed(WebSocket webSocket, int code, String reason) {
            ended.countDown();
        }

        @Override
        public void onFailure(WebSocket webSocket, Throwable t, Response response) {
            failure = t;
            opened.countDown();
            ended.countDown();
        }

        void awaitOpen(long seconds) throws InterruptedException {
            if (!opened.await(seconds, TimeUnit.SECONDS) || failure != null) {
                throw new IllegalStateException("session did not open", failure);
            }
        }

        void awaitEnd(long seconds) throws InterruptedException {
            if (!ended.await(seconds, TimeUnit.SECONDS)) {
                throw new IllegalStateException("session did not end");
            }
        }
    }

    static Tracked open(OkHttpClient client, String url) {
        Tracked t = new Tracked();
        Request request = new Request.Builder()
                .url(url + AUDIO_QUERY)
                .header("Authorization", "Token " + API_KEY)
                .build();
        t.socket = client.newWebSocket(request, t);
        return t;
    }

    /**
     * A client for {@code sessions} concurrent sockets. OkHttp runs each socket's reader on a
     * dispatcher thread that counts against maxRequests (64) and maxRequestsPerHost (5), so an app
     * with many concurrent sessions raises both, as this one does.
     */
    static OkHttpClient client(int sessions) {
        Dispatcher dispatcher = new Dispatcher();
        dispatcher.setMaxRequests(Math.max(64, sessions + 8));
        dispatcher.setMaxRequestsPerHost(Math.max(5, sessions + 8));
        return new OkHttpClient.Builder().dispatcher(dispatcher).build();
    }

    static void shutdown(OkHttpClient client) {
        client.dispatcher().executorService().shutdown();
        client.connectionPool().evictAll();
    }

    /** {@link #shutdown}, then waits until the client's dispatcher threads have ended. */
    static void shutdownAndWait(OkHttpClient client) throws InterruptedException {
        shutdown(client);
        if (!client.dispatcher().executorService().awaitTermination(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("OkHttp's dispatcher threads did not end");
        }
    }
}
