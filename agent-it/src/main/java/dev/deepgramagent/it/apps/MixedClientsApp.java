package dev.deepgramagent.it.apps;

import dev.deepgramagent.demo.SampleApp;
import dev.deepgramagent.simulator.TestAudio;
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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * One app, three client libraries at once: an OkHttp session, an nv-websocket-client session and a
 * Java-WebSocket session (the stacks' clients, by name), each streaming 2 s of audio at real time
 * at the same moment and closing right after it. Then it prints the agent's session metrics from
 * its own endpoint ({@code args[1]}: the port) as "METRIC ..." lines. Args: the listen URL, the port.
 */
public final class MixedClientsApp {

    private static final String[] STACK_CLIENTS = {"dev.deepgramagent.it.stacks.NvWebSocketClient",
            "dev.deepgramagent.it.stacks.JavaWebSocketClient"};

    public static void main(String[] args) throws Exception {
        String url = args[0];
        CyclicBarrier start = new CyclicBarrier(1 + STACK_CLIENTS.length);
        ExecutorService pool = Executors.newFixedThreadPool(1 + STACK_CLIENTS.length);
        List<Future<Integer>> sessions = new ArrayList<>();
        OkHttpClient okhttp = new OkHttpClient();
        sessions.add(pool.submit(() -> okHttpSession(okhttp, url, start)));
        for (String client : STACK_CLIENTS) {
            sessions.add(pool.submit(() -> stackSession(client, url, start)));
        }
        int words = 0;
        for (Future<Integer> f : sessions) {
            words += f.get(60, TimeUnit.SECONDS);
        }
        System.out.println("WORDS " + words);
        HttpResponse<String> metrics = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + args[1] + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        for (String line : metrics.body().split("\n")) {
            if (line.startsWith("deepgram_agent_sessions_") || line.startsWith("deepgram_agent_audio_sent_bytes_total")) {
                System.out.println("METRIC " + line);
            }
        }
        System.out.println("DONE");
        System.out.flush();
        okhttp.dispatcher().executorService().shutdown();
        System.exit(0);
    }

    private static int okHttpSession(OkHttpClient client, String url, CyclicBarrier start) throws Exception {
        List<String> words = new ArrayList<>();
        CountDownLatch ended = new CountDownLatch(1);
        SampleApp.Messages messages = new SampleApp.Messages(words, new CountDownLatch(1));
        WebSocket ws = client.newWebSocket(new Request.Builder().url(url).header("Authorization", "Token secret-test-key").build(),
                new WebSocketListener() {
                    @Override
                    public void onMessage(WebSocket webSocket, String text) {
                        messages.received(text);
                    }

                    @Override
                    public void onClosing(WebSocket webSocket, int code, String reason) {
                        webSocket.close(1000, null);
                    }

                    @Override
                    public void onClosed(WebSocket webSocket, int code, String reason) {
                        ended.countDown();
                    }

                    @Override
                    public void onFailure(WebSocket webSocket, Throwable t, Response response) {
                        ended.countDown();
                    }
                });
        stream(start, audio -> ws.send(ByteString.of(audio)));
        ws.close(1000, "Client disconnecting");
        return finish("okhttp", ended, words);
    }

    private static int stackSession(String client, String url, CyclicBarrier start) throws Exception {
        List<String> words = new ArrayList<>();
        CountDownLatch ended = new CountDownLatch(1);
        SampleApp.Options options = new SampleApp.Options(new String[] {"url=" + url});
        SampleApp.Messages messages = new SampleApp.Messages(words, new CountDownLatch(1));
        SampleApp.Sender sender = (SampleApp.Sender) Class.forName(client)
                .getMethod("connect", SampleApp.Options.class, SampleApp.Messages.class, CountDownLatch.class)
                .invoke(null, options, messages, ended);
        stream(start, sender::sendAudio);
        sender.close();
        return finish(client.substring(client.lastIndexOf('.') + 1), ended, words);
    }

    interface AudioSink {
        boolean send(byte[] audio);
    }

    /** 2 s of audio at real time (20 ms chunks), started together with the other sessions. */
    private static void stream(CyclicBarrier start, AudioSink sink) throws Exception {
        start.await(30, TimeUnit.SECONDS);
        long t0 = System.nanoTime();
        for (int i = 0; i < 100; i++) {
            long wait = t0 + TimeUnit.MILLISECONDS.toNanos(20L * i) - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait); // pacing, as a microphone does
            }
            sink.send(TestAudio.chunk(i));
        }
    }

    private static int finish(String name, CountDownLatch ended, List<String> words) throws InterruptedException {
        boolean done = ended.await(20, TimeUnit.SECONDS);
        synchronized (words) {
            System.out.println("SESSION " + name + " ended=" + done + " words=" + words.size());
            return words.size();
        }
    }
}
