package dev.deepgramagent.demo;

import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import okio.ByteString;

import java.util.concurrent.TimeUnit;

/**
 * The call pattern of the official Deepgram Java SDK's {@code V1WebSocketClient} (not served by our
 * registry, so reproduced here): a fixed 4 s connect timeout, one {@code x-deepgram-session-id}
 * header on every socket of the client, a listener wrapper that reconnects by itself after a failure
 * or any close other than 1000 (first backoff 1 s; here at most 3 times, to a reconnect URL a test
 * can point elsewhere), and a {@code disconnect()} that calls {@code close(1000, "Client disconnecting")}
 * with no Finalize or CloseStream.
 */
final class SdkStyleClient implements SampleApp.Sender {

    private final OkHttpClient client;
    private final String url;
    private final String reconnectUrl;
    private final String sessionId = java.util.UUID.randomUUID().toString();
    private final String apiKey;
    private final WebSocketListener delegate;
    private volatile WebSocket webSocket;
    private volatile boolean disconnecting;
    private int reconnects;

    SdkStyleClient(OkHttpClient base, String url, String reconnectUrl, String apiKey, WebSocketListener delegate) {
        this.client = base.newBuilder().connectTimeout(4000, TimeUnit.MILLISECONDS).build();
        this.url = url;
        this.reconnectUrl = reconnectUrl;
        this.apiKey = apiKey;
        this.delegate = delegate;
    }

    void connect() {
        Request request = new Request.Builder().url(reconnects == 0 ? url : reconnectUrl).header("Authorization", "Token " + apiKey)
                .header("x-deepgram-session-id", sessionId).build();
        webSocket = client.newWebSocket(request, new WebSocketListener() {
            @Override
            public void onOpen(WebSocket ws, Response response) {
                delegate.onOpen(ws, response);
            }

            @Override
            public void onMessage(WebSocket ws, String text) {
                delegate.onMessage(ws, text);
            }

            @Override
            public void onClosing(WebSocket ws, int code, String reason) {
                if (code != 1000 && reconnect()) {
                    ws.close(1000, null);
                    return;
                }
                delegate.onClosing(ws, code, reason);
            }

            @Override
            public void onClosed(WebSocket ws, int code, String reason) {
                if (ws != webSocket) {
                    return; // a socket already replaced by a reconnect
                }
                delegate.onClosed(ws, code, reason);
            }

            @Override
            public void onFailure(WebSocket ws, Throwable t, Response response) {
                if (reconnect()) {
                    return;
                }
                delegate.onFailure(ws, t, response);
            }
        });
    }

    /** The SDK's reconnect: a new socket with the same session header, after its first backoff. */
    private synchronized boolean reconnect() {
        if (disconnecting || reconnects >= 3) {
            return false;
        }
        reconnects++;
        SampleApp.out("RECONNECT " + reconnects);
        try {
            Thread.sleep(1000); // the SDK's first backoff, on its reader thread as here
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        connect();
        return true;
    }

    @Override
    public boolean sendAudio(byte[] audio) {
        return webSocket.send(ByteString.of(audio));
    }

    @Override
    public boolean sendText(String text) {
        return webSocket.send(text);
    }

    /** V1WebSocketClient.disconnect(). */
    @Override
    public boolean close() {
        disconnecting = true;
        return webSocket.close(1000, "Client disconnecting");
    }

    @Override
    public void cancel() {
        disconnecting = true;
        webSocket.cancel();
    }
}
