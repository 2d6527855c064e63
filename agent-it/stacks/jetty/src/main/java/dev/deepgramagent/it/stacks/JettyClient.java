package dev.deepgramagent.it.stacks;

import dev.deepgramagent.demo.SampleApp;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.api.exceptions.UpgradeException;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;

import java.net.URI;
import java.nio.ByteBuffer;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The sample app on Jetty 12's WebSocket client, as jigasi's transcription gateway uses it: a
 * {@code Session.Listener.AutoDemanding} endpoint, {@code sendBinary}/{@code sendText} with callbacks,
 * and {@code close(1000, reason, callback)} at the end; {@code disconnect()} is the cancel.
 */
public final class JettyClient implements SampleApp.Sender {

    private final WebSocketClient client;
    private final Session session;

    private JettyClient(WebSocketClient client, Session session) {
        this.client = client;
        this.session = session;
    }

    /** @return the connected sender, or null when the handshake failed (printed as FAILURE). */
    public static SampleApp.Sender connect(SampleApp.Options o, SampleApp.Messages messages, CountDownLatch ended) throws Exception {
        WebSocketClient client = new WebSocketClient();
        client.start();
        ClientUpgradeRequest request = new ClientUpgradeRequest();
        request.setHeader("Authorization", "Token secret-test-key");
        if (o.get("session_id", null) != null) {
            request.setHeader("x-deepgram-session-id", o.get("session_id"));
        }
        Endpoint listener = new Endpoint(messages, ended);
        Session session;
        try {
            session = client.connect(listener, URI.create(o.get("url")), request).get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            int status = cause instanceof UpgradeException ? ((UpgradeException) cause).getResponseStatusCode() : 0;
            SampleApp.out("FAILURE " + cause.getClass().getName() + " " + status);
            client.stop();
            return null;
        }
        SampleApp.out("OPEN request_id=" + session.getUpgradeResponse().getHeader("dg-request-id"));
        return new JettyClient(client, session);
    }

    /** The app's endpoint: Jetty calls it through method handles, so it must be a public class. */
    public static final class Endpoint implements Session.Listener.AutoDemanding {
        private final SampleApp.Messages messages;
        private final CountDownLatch ended;

        Endpoint(SampleApp.Messages messages, CountDownLatch ended) {
            this.messages = messages;
            this.ended = ended;
        }

        @Override
        public void onWebSocketText(String text) {
            messages.received(text);
        }

        @Override
        public void onWebSocketClose(int code, String reason) {
            SampleApp.out("CLOSING " + code + " " + reason);
            SampleApp.out("CLOSED " + code);
            ended.countDown();
        }

        @Override
        public void onWebSocketError(Throwable cause) {
            SampleApp.out("ERROR " + cause.getClass().getName());
        }
    }

    @Override
    public boolean sendAudio(byte[] audio) {
        session.sendBinary(ByteBuffer.wrap(audio), Callback.NOOP);
        return session.isOpen();
    }

    @Override
    public boolean sendText(String text) {
        session.sendText(text, Callback.NOOP);
        return session.isOpen();
    }

    @Override
    public boolean close() {
        session.close(1000, "Client disconnecting", Callback.NOOP);
        return true;
    }

    @Override
    public void cancel() {
        session.disconnect();
    }

    @Override
    public void shutdown() {
        try {
            client.stop();
        } catch (Exception e) {
            SampleApp.out("STOP_FAILED " + e);
        }
    }
}
