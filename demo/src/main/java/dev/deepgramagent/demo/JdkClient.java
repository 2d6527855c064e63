package dev.deepgramagent.demo;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The sample app on the JDK's own {@code java.net.http.WebSocket}, the way Deepgram's Java
 * examples use it: each send waits for the one before (the JDK allows one outstanding send), the
 * listener asks for one message at a time and joins text parts. With {@code jdk_pipelined=true}
 * the app does not wait for its last audio frame before it closes, so that frame is still
 * outstanding when the close (and whatever the agent sends before it) comes. Any send the JDK
 * refuses is printed as SEND_FAILED.
 */
final class JdkClient implements SampleApp.Sender {

    private final WebSocket ws;
    private final boolean pipelined;
    private CompletableFuture<WebSocket> lastSend = CompletableFuture.completedFuture(null);

    private JdkClient(WebSocket ws, boolean pipelined) {
        this.ws = ws;
        this.pipelined = pipelined;
    }

    /** @return the connected sender, or null when the handshake failed (printed as FAILURE). */
    static JdkClient connect(SampleApp.Options o, SampleApp.Messages messages, CountDownLatch ended) {
        HttpClient client = HttpClient.newHttpClient();
        WebSocket.Builder builder = client.newWebSocketBuilder().header("Authorization", "Token secret-test-key");
        if (o.get("session_id", null) != null) {
            builder.header("x-deepgram-session-id", o.get("session_id"));
        }
        WebSocket.Listener listener = new WebSocket.Listener() {
            private final StringBuilder parts = new StringBuilder();

            @Override
            public void onOpen(WebSocket webSocket) {
                SampleApp.out("OPEN request_id=unknown"); // the JDK client does not expose the response headers
                webSocket.request(1);
            }

            @Override
            public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                parts.append(data);
                if (last) {
                    messages.received(parts.toString());
                    parts.setLength(0);
                }
                webSocket.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
                SampleApp.out("CLOSING " + statusCode + " " + reason);
                SampleApp.out("CLOSED " + statusCode);
                ended.countDown();
                return null; // the JDK answers the close
            }

            @Override
            public void onError(WebSocket webSocket, Throwable error) {
                SampleApp.out("FAILURE " + error.getClass().getName() + " 0");
                ended.countDown();
            }
        };
        try {
            WebSocket ws = builder.buildAsync(URI.create(o.get("url")), listener).join();
            return new JdkClient(ws, o.flag("jdk_pipelined"));
        } catch (CompletionException e) {
            Throwable cause = e.getCause();
            int status = cause instanceof WebSocketHandshakeException
                    ? ((WebSocketHandshakeException) cause).getResponse().statusCode() : 0;
            SampleApp.out("FAILURE " + cause.getClass().getName() + " " + status);
            return null;
        }
    }

    @Override
    public boolean sendAudio(byte[] audio) {
        if (pipelined) {
            // Issued once the previous send completed, without the app's thread waiting for it.
            lastSend = lastSend.thenCompose(w -> ws.sendBinary(ByteBuffer.wrap(audio), true));
            lastSend.whenComplete((w, e) -> reportFailure(e));
            return true;
        }
        return await(ws.sendBinary(ByteBuffer.wrap(audio), true));
    }

    @Override
    public boolean sendText(String text) {
        lastSend.handle((w, e) -> null).join();
        return await(ws.sendText(text, true));
    }

    @Override
    public boolean close() {
        CompletableFuture<WebSocket> closed = ws.sendClose(WebSocket.NORMAL_CLOSURE, "Client disconnecting");
        try {
            closed.get(10, TimeUnit.SECONDS);
            return true;
        } catch (Exception e) {
            SampleApp.out("CLOSE_FAILED " + e);
            return false;
        }
    }

    @Override
    public void cancel() {
        ws.abort();
    }

    private static boolean await(CompletableFuture<WebSocket> send) {
        try {
            send.join();
            return true;
        } catch (CompletionException e) {
            reportFailure(e);
            return false;
        }
    }

    private static void reportFailure(Throwable e) {
        if (e != null) {
            Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            SampleApp.out("SEND_FAILED " + cause.getClass().getName() + " " + cause.getMessage());
        }
    }
}
