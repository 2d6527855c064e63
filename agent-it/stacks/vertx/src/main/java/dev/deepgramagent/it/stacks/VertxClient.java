package dev.deepgramagent.it.stacks;

import dev.deepgramagent.demo.SampleApp;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The sample app on Vert.x 5's {@code WebSocketClient}: {@code connect(WebSocketConnectOptions)},
 * {@code writeBinaryMessage}/{@code writeTextMessage}, {@code textMessageHandler}, and the close
 * through {@code WebSocket.close(code, reason)}, after which Vert.x waits for the server's close.
 */
public final class VertxClient implements SampleApp.Sender {

    private final Vertx vertx;
    private final WebSocket ws;

    private VertxClient(Vertx vertx, WebSocket ws) {
        this.vertx = vertx;
        this.ws = ws;
    }

    /** @return the connected sender, or null when the handshake failed (printed as FAILURE). */
    public static SampleApp.Sender connect(SampleApp.Options o, SampleApp.Messages messages, CountDownLatch ended) throws Exception {
        Vertx vertx = Vertx.vertx();
        WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions()
                .setMaxFrameSize(1 << 20).setMaxMessageSize(1 << 22));
        WebSocketConnectOptions options = new WebSocketConnectOptions().setAbsoluteURI(o.get("url"))
                .addHeader("Authorization", "Token secret-test-key");
        if (o.get("session_id", null) != null) {
            options.addHeader("x-deepgram-session-id", o.get("session_id"));
        }
        WebSocket ws;
        try {
            ws = client.connect(options).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            int status = cause instanceof UpgradeRejectedException ? ((UpgradeRejectedException) cause).getStatus() : 0;
            SampleApp.out("FAILURE " + cause.getClass().getName() + " " + status);
            vertx.close();
            return null;
        }
        SampleApp.out("OPEN request_id=" + ws.headers().get("dg-request-id"));
        ws.textMessageHandler(messages::received);
        ws.closeHandler(v -> {
            Short code = ws.closeStatusCode();
            SampleApp.out("CLOSING " + code + " " + ws.closeReason());
            SampleApp.out("CLOSED " + (code == null ? 1006 : code));
            ended.countDown();
        });
        ws.exceptionHandler(e -> SampleApp.out("FAILURE " + e.getClass().getName() + " 0"));
        return new VertxClient(vertx, ws);
    }

    @Override
    public boolean sendAudio(byte[] audio) {
        ws.writeBinaryMessage(Buffer.buffer(audio));
        return !ws.isClosed();
    }

    @Override
    public boolean sendText(String text) {
        ws.writeTextMessage(text);
        return !ws.isClosed();
    }

    @Override
    public boolean close() {
        try {
            ws.close((short) 1000, "Client disconnecting").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            return true;
        } catch (Exception e) {
            SampleApp.out("CLOSE_FAILED " + e);
            return false;
        }
    }

    /** Drops the connection without a close frame: Vert.x closes its connections. */
    @Override
    public void cancel() {
        vertx.close();
    }

    @Override
    public void shutdown() {
        dev.deepgramagent.demo.NettyLeakCheck.beforeExit();
        vertx.close();
    }
}
