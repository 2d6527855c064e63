package dev.deepgramagent.it.stacks;

import dev.deepgramagent.demo.SampleApp;
import jakarta.websocket.ClientEndpointConfig;
import jakarta.websocket.CloseReason;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.Session;
import org.glassfish.tyrus.client.ClientManager;
import org.glassfish.tyrus.client.ClientProperties;
import org.glassfish.tyrus.core.HandshakeException;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * The sample app on Jakarta WebSocket with Tyrus 2's standalone client, as apps write it: a
 * programmatic {@code Endpoint}, the Authorization header from the config's {@code Configurator},
 * {@code getBasicRemote().sendBinary} for the audio (async=true: {@code getAsyncRemote()}), a whole-text
 * message handler for the results and {@code session.close(CloseReason)} at the end. idle_ms sets the
 * session's max idle timeout, handshake_ms Tyrus's handshake timeout (ClientProperties.HANDSHAKE_TIMEOUT). The Jakarta API cannot drop a connection without its close handshake: no cancel.
 */
public final class TyrusClient implements SampleApp.Sender {

    private final ClientManager client;
    private final Session session;
    private final boolean async;

    private TyrusClient(ClientManager client, Session session, boolean async) {
        this.client = client;
        this.session = session;
        this.async = async;
    }

    /** @return the connected sender, or null when the handshake failed (printed as FAILURE). */
    public static SampleApp.Sender connect(SampleApp.Options o, SampleApp.Messages messages, CountDownLatch ended) throws Exception {
        String sessionId = o.get("session_id", null);
        String[] requestId = new String[1];
        ClientEndpointConfig config = ClientEndpointConfig.Builder.create().configurator(new ClientEndpointConfig.Configurator() {
            @Override
            public void beforeRequest(Map<String, List<String>> headers) {
                headers.put("Authorization", List.of("Token secret-test-key"));
                if (sessionId != null) {
                    headers.put("x-deepgram-session-id", List.of(sessionId));
                }
            }

            @Override
            public void afterResponse(HandshakeResponse response) {
                List<String> id = response.getHeaders().get("dg-request-id");
                requestId[0] = id == null || id.isEmpty() ? null : id.get(0);
            }
        }).build();
        ClientManager client = ClientManager.createClient();
        if (o.get("handshake_ms", null) != null) {
            client.getProperties().put(ClientProperties.HANDSHAKE_TIMEOUT, (int) o.number("handshake_ms", 0));
        }
        Endpoint endpoint = new Endpoint() {
            @Override
            public void onOpen(Session session, EndpointConfig endpointConfig) {
                session.addMessageHandler(String.class, (MessageHandler.Whole<String>) messages::received);
            }

            @Override
            public void onClose(Session session, CloseReason reason) {
                SampleApp.out("CLOSING " + reason.getCloseCode().getCode() + " " + reason.getReasonPhrase());
                SampleApp.out("CLOSED " + reason.getCloseCode().getCode());
                ended.countDown();
            }

            @Override
            public void onError(Session session, Throwable cause) {
                SampleApp.out("ERROR " + cause.getClass().getName());
            }
        };
        Session session;
        try {
            session = client.connectToServer(endpoint, config, URI.create(o.get("url")));
        } catch (DeploymentException e) {
            int status = 0;
            for (Throwable c = e; c != null; c = c.getCause()) {
                if (c instanceof HandshakeException) {
                    status = ((HandshakeException) c).getHttpStatusCode();
                }
            }
            SampleApp.out("FAILURE " + e.getClass().getName() + " " + status);
            client.shutdown();
            return null;
        }
        if (o.get("idle_ms", null) != null) {
            session.setMaxIdleTimeout((long) o.number("idle_ms", 0));
        }
        SampleApp.out("OPEN request_id=" + requestId[0]);
        return new TyrusClient(client, session, Boolean.parseBoolean(o.get("async", "false")));
    }

    @Override
    public boolean sendAudio(byte[] audio) {
        try {
            if (async) {
                session.getAsyncRemote().sendBinary(ByteBuffer.wrap(audio)).get();
            } else {
                session.getBasicRemote().sendBinary(ByteBuffer.wrap(audio));
            }
            return true;
        } catch (Exception e) {
            return false; // closed: IOException or IllegalStateException
        }
    }

    @Override
    public boolean sendText(String text) {
        try {
            if (async) {
                session.getAsyncRemote().sendText(text).get();
            } else {
                session.getBasicRemote().sendText(text);
            }
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    @Override
    public boolean close() {
        try {
            session.close(new CloseReason(CloseReason.CloseCodes.NORMAL_CLOSURE, "Client disconnecting"));
            return true;
        } catch (IOException | IllegalStateException e) {
            return false;
        }
    }

    /** Jakarta WebSocket has no way to drop a connection without its close handshake. */
    @Override
    public void cancel() {
        throw new UnsupportedOperationException("Jakarta WebSocket cannot drop a connection without its close handshake");
    }

    @Override
    public void shutdown() {
        client.shutdown();
    }
}
