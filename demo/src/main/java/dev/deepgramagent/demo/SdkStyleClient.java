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
 * registry, so reproduced here): a fixed 4 s connect timeout, a listener wrapper that reconnects on
 * failure, and a {@code disconnect()} that calls {@code close(1000, "Client disconnecting")} with
 * no Finalize or CloseStream.
 */
final class SdkStyleClient implements SampleApp.Sender {

    private final OkHttpClient client;
    private final String url;
    private final String apiKey;
    private final WebSocketListener delegate;
    private volatile WebSocket webSocket;
    private volatile boolean disconnecting;
    private int reconnects;

    SdkStyleClient(OkHttpClient base, String url, String apiKey, WebSocketListener delegate) {
        this.client = base.newBuilder().connectTimeout(4000, TimeUnit.MILLISECONDS).build();
        this.url = url;
        this.apiKey = apiKey;
        this.delegate = delegate;
    }

    void connect() {
        Request request = new Request.Builder().url(url).header("Authorization", "Token " + apiKey).build();
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
                delegate.onClosing(ws, code, reason);
            }

            @Override
            public void onClosed(WebSocket ws, int code, String reason) {
                delegate.onClosed(ws, code, reason);
            }

            @Override
            public void onFailure(WebSocket ws, Throwable t, Response response) {
                if (!disconnecting && reconnects < 3) {
                    reconnects++;
                    connect();
                    return;
                }
                delegate.onFailure(ws, t, response);
            }
        });
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
