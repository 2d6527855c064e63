package dev.deepgramagent.it.apps;

import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;

import java.net.ServerSocket;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Opens an OkHttp WebSocket to a Deepgram path on a loopback port where nothing listens: enough
 * to construct (and so instrument) {@code RealWebSocket} without any server.
 */
final class DeadEndSocket {

    private DeadEndSocket() {
    }

    /** @return true when OkHttp reported the failure, as it always does for a refused connection. */
    static boolean openAndFail(OkHttpClient client) throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        CountDownLatch failed = new CountDownLatch(1);
        Request request = new Request.Builder().url("ws://127.0.0.1:" + port + "/v1/listen?encoding=linear16&sample_rate=16000").build();
        client.newWebSocket(request, new WebSocketListener() {
            @Override
            public void onFailure(WebSocket webSocket, Throwable t, Response response) {
                failed.countDown();
            }
        });
        return failed.await(10, TimeUnit.SECONDS);
    }

    /** The same with the JDK's java.net.http.WebSocket. @return true when the handshake's future failed. */
    static boolean openAndFailJdk() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        try {
            java.net.http.HttpClient.newHttpClient().newWebSocketBuilder()
                    .buildAsync(java.net.URI.create("ws://127.0.0.1:" + port + "/v1/listen?encoding=linear16&sample_rate=16000"),
                            new java.net.http.WebSocket.Listener() {
                            })
                    .get(10, TimeUnit.SECONDS);
            return false;
        } catch (java.util.concurrent.ExecutionException e) {
            return true;
        }
    }
}
