package dev.deepgramagent.it.stacks;

import dev.deepgramagent.demo.SampleApp;
import org.java_websocket.client.WebSocketClient;
import org.java_websocket.exceptions.WebsocketNotConnectedException;
import org.java_websocket.framing.CloseFrame;
import org.java_websocket.handshake.ServerHandshake;

import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The sample app on Java-WebSocket, as apps write it: a {@code WebSocketClient} subclass with the
 * Authorization header, {@code connectBlocking}, {@code send(byte[])} for the audio, {@code onMessage}
 * for the results and {@code close()} at the end. ping_ms sets the lost-connection interval (whole
 * seconds, at least 1).
 */
public final class JavaWebSocketClient implements SampleApp.Sender {

    private final WebSocketClient client;

    private JavaWebSocketClient(WebSocketClient client) {
        this.client = client;
    }

    /** @return the connected sender, or null when the handshake failed (printed as FAILURE). */
    public static SampleApp.Sender connect(SampleApp.Options o, SampleApp.Messages messages, CountDownLatch ended) throws Exception {
        Map<String, String> headers = new HashMap<>();
        headers.put("Authorization", "Token secret-test-key");
        if (o.get("session_id", null) != null) {
            headers.put("x-deepgram-session-id", o.get("session_id"));
        }
        WebSocketClient client = new WebSocketClient(URI.create(o.get("url")), headers) {
            @Override
            public void onOpen(ServerHandshake handshake) {
                SampleApp.out("OPEN request_id=" + handshake.getFieldValue("dg-request-id"));
            }

            @Override
            public void onMessage(String text) {
                messages.received(text);
            }

            @Override
            public void onClose(int code, String reason, boolean remote) {
                SampleApp.out("CLOSING " + code + " " + reason);
                SampleApp.out("CLOSED " + code);
                ended.countDown();
            }

            @Override
            public void onError(Exception e) {
                SampleApp.out("ERROR " + e.getClass().getName());
            }
        };
        if (o.get("ping_ms", null) != null) {
            client.setConnectionLostTimeout((int) Math.max(1, Math.round(o.number("ping_ms", 0) / 1000)));
        }
        if (!client.connectBlocking(10, TimeUnit.SECONDS)) {
            SampleApp.out("FAILURE " + client.getReadyState() + " 0");
            return null;
        }
        return new JavaWebSocketClient(client);
    }

    @Override
    public boolean sendAudio(byte[] audio) {
        try {
            client.send(audio);
            return true;
        } catch (WebsocketNotConnectedException e) {
            return false;
        }
    }

    @Override
    public boolean sendText(String text) {
        try {
            client.send(text);
            return true;
        } catch (WebsocketNotConnectedException e) {
            return false;
        }
    }

    @Override
    public boolean close() {
        client.close();
        return true;
    }

    /** Drops the connection without a close handshake. */
    @Override
    public void cancel() {
        client.closeConnection(CloseFrame.NORMAL, "cancelled by the app");
    }
}
