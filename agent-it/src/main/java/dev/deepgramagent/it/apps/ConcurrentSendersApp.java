package dev.deepgramagent.it.apps;

import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import okio.ByteString;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An app that sends the audio of one OkHttp session from args[1] threads at once, args[2] frames
 * each (distinct frame sizes per thread), then closes normally. Prints the bytes it handed to
 * {@code send}, and the agent's audio count from its metrics endpoint (args[3]).
 */
public final class ConcurrentSendersApp {

    public static void main(String[] args) throws Exception {
        String url = args[0];
        int threads = Integer.parseInt(args[1]);
        int framesEach = Integer.parseInt(args[2]);
        CountDownLatch open = new CountDownLatch(1);
        CountDownLatch closed = new CountDownLatch(1);
        OkHttpClient client = new OkHttpClient();
        WebSocket ws = client.newWebSocket(new Request.Builder().url(url).header("Authorization", "Token secret-test-key").build(),
                new WebSocketListener() {
                    @Override
                    public void onOpen(WebSocket webSocket, Response response) {
                        open.countDown();
                    }

                    @Override
                    public void onClosed(WebSocket webSocket, int code, String reason) {
                        closed.countDown();
                    }

                    @Override
                    public void onFailure(WebSocket webSocket, Throwable t, Response response) {
                        System.out.println("FAILURE " + t);
                        closed.countDown();
                    }
                });
        if (!open.await(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("not open");
        }
        AtomicLong sent = new AtomicLong();
        CyclicBarrier start = new CyclicBarrier(threads);
        List<Thread> senders = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            ByteString frame = ByteString.of(new byte[640 + 2 * t]);
            Thread sender = new Thread(() -> {
                try {
                    start.await(30, TimeUnit.SECONDS);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                for (int i = 0; i < framesEach; i++) {
                    if (ws.send(frame)) {
                        sent.addAndGet(frame.size());
                    }
                }
            }, "sender-" + t);
            senders.add(sender);
            sender.start();
        }
        for (Thread sender : senders) {
            sender.join(60_000);
        }
        System.out.println("APP sent=" + sent.get());
        ws.close(1000, null);
        if (!closed.await(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("not closed");
        }
        HttpResponse<String> metrics = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + args[3] + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        for (String line : metrics.body().split("\n")) {
            if (line.startsWith("deepgram_agent_audio_sent_bytes_total{") || line.startsWith("deepgram_agent_sessions_ended_total{")
                    && !line.endsWith(" 0.0")) {
                System.out.println("METRIC " + line);
            }
        }
        client.dispatcher().executorService().shutdown();
        client.connectionPool().evictAll();
        System.exit(0);
    }
}
