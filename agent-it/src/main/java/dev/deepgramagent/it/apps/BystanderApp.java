package dev.deepgramagent.it.apps;

import dev.deepgramagent.simulator.TestAudio;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import okio.ByteString;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A WebSocket that is not a Deepgram session (args[0]: its URL; args[1]: pause in ms; args[2]: a
 * text message): sends audio and the text, pauses, closes right after its last frame. Prints every callback so runs can be compared.
 */
public final class BystanderApp {

    public static void main(String[] args) throws Exception {
        OkHttpClient client = new OkHttpClient();
        CountDownLatch closed = new CountDownLatch(1);
        WebSocket ws = client.newWebSocket(new Request.Builder().url(args[0]).header("Authorization", "Token k").build(),
                new WebSocketListener() {
                    @Override
                    public void onOpen(WebSocket webSocket, Response response) {
                        System.out.println("OPEN " + response.code());
                    }

                    @Override
                    public void onMessage(WebSocket webSocket, String text) {
                        System.out.println("MESSAGE " + text);
                    }

                    @Override
                    public void onClosing(WebSocket webSocket, int code, String reason) {
                        System.out.println("CLOSING " + code + " " + reason);
                    }

                    @Override
                    public void onClosed(WebSocket webSocket, int code, String reason) {
                        System.out.println("CLOSED " + code + " " + reason);
                        closed.countDown();
                    }

                    @Override
                    public void onFailure(WebSocket webSocket, Throwable t, Response response) {
                        System.out.println("FAILURE " + t.getClass().getSimpleName());
                        closed.countDown();
                    }
                });
        for (int i = 0; i < 10; i++) {
            ws.send(ByteString.of(TestAudio.chunk(i)));
        }
        System.out.println("SEND text " + ws.send(args.length > 2 ? args[2] : "hello"));
        long pauseMillis = Long.parseLong(args.length > 1 ? args[1] : "0");
        closed.await(pauseMillis, TimeUnit.MILLISECONDS); // idle: an agent would inject KeepAlive here
        ws.send(ByteString.of(TestAudio.chunk(10)));
        System.out.println("CLOSE returned " + ws.close(1000, "bye"));
        System.out.println("SEND after close " + ws.send("late"));
        System.out.println("ENDED " + closed.await(10, TimeUnit.SECONDS));
        client.dispatcher().executorService().shutdown();
        client.connectionPool().evictAll();
        System.exit(0);
    }
}
