package dev.deepgramagent.it.stacks;

import com.neovisionaries.ws.client.OpeningHandshakeException;
import com.neovisionaries.ws.client.WebSocket;
import com.neovisionaries.ws.client.WebSocketAdapter;
import com.neovisionaries.ws.client.WebSocketException;
import com.neovisionaries.ws.client.WebSocketFactory;
import com.neovisionaries.ws.client.WebSocketFrame;
import dev.deepgramagent.demo.SampleApp;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * The sample app on nv-websocket-client, the way Deepgram's own Java example uses it: a
 * {@code WebSocketFactory} socket with the Authorization header, {@code sendBinary} for the audio,
 * {@code onTextMessage} for the results and {@code disconnect()} at the end, without CloseStream.
 */
public final class NvWebSocketClient implements SampleApp.Sender {

    private final WebSocket ws;
    /** nv_close_delay: disconnect's close delay in ms (-1: the library's default). */
    private final long closeDelay;

    private NvWebSocketClient(WebSocket ws, long closeDelay) {
        this.ws = ws;
        this.closeDelay = closeDelay;
    }

    /** @return the connected sender, or null when the handshake failed (printed as FAILURE). */
    public static SampleApp.Sender connect(SampleApp.Options o, SampleApp.Messages messages, CountDownLatch ended) throws Exception {
        WebSocket ws = new WebSocketFactory().createSocket(o.get("url"));
        ws.addHeader("Authorization", "Token secret-test-key");
        if (o.get("session_id", null) != null) {
            ws.addHeader("x-deepgram-session-id", o.get("session_id"));
        }
        ws.setPingInterval((long) o.number("ping_ms", 0));
        java.util.concurrent.atomic.AtomicReference<Map<String, List<String>>> serverHeaders = new java.util.concurrent.atomic.AtomicReference<>();
        CountDownLatch connected = new CountDownLatch(1); // onConnected runs on the library's own thread
        ws.addListener(new WebSocketAdapter() {
            @Override
            public void onConnected(WebSocket socket, Map<String, List<String>> headers) {
                serverHeaders.set(headers);
                connected.countDown();
            }

            @Override
            public void onTextMessage(WebSocket socket, String text) {
                messages.received(text);
            }

            @Override
            public void onCloseFrame(WebSocket socket, WebSocketFrame frame) {
                SampleApp.out("CLOSING " + frame.getCloseCode() + " " + frame.getCloseReason());
            }

            @Override
            public void onDisconnected(WebSocket socket, WebSocketFrame server, WebSocketFrame client, boolean byServer) {
                SampleApp.out("CLOSED " + (server == null ? 1006 : server.getCloseCode()));
                ended.countDown();
            }

            @Override
            public void onError(WebSocket socket, WebSocketException cause) {
                SampleApp.out("ERROR " + cause.getError());
            }
        });
        try {
            ws.connect();
        } catch (OpeningHandshakeException e) {
            SampleApp.out("FAILURE " + e.getClass().getName() + " " + e.getStatusLine().getStatusCode());
            return null;
        } catch (WebSocketException e) {
            SampleApp.out("FAILURE " + e.getClass().getName() + " 0");
            return null;
        }
        connected.await(5, java.util.concurrent.TimeUnit.SECONDS);
        Map<String, List<String>> headers = serverHeaders.get();
        List<String> id = headers == null ? null : headers.get("dg-request-id");
        SampleApp.out("OPEN request_id=" + (id == null ? null : id.get(0)));
        return new NvWebSocketClient(ws, (long) o.number("nv_close_delay", -1));
    }

    @Override
    public boolean sendAudio(byte[] audio) {
        ws.sendBinary(audio);
        return ws.isOpen();
    }

    @Override
    public boolean sendText(String text) {
        ws.sendText(text);
        return ws.isOpen();
    }

    /** As Deepgram's example: disconnect() right after the audio (with nv_close_delay, disconnect(1000, null, delay)). */
    @Override
    public boolean close() {
        if (closeDelay >= 0) {
            ws.disconnect(1000, null, closeDelay);
        } else {
            ws.disconnect();
        }
        return true;
    }

    /** nv-websocket has no abort: the app drops the TCP connection under it. */
    @Override
    public void cancel() {
        try {
            ws.getSocket().close();
        } catch (Exception e) {
            SampleApp.out("CANCEL_FAILED " + e);
        }
    }
}
