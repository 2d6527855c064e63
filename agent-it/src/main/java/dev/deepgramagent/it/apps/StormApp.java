package dev.deepgramagent.it.apps;

import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A storm of session ends: args[1] sessions opened at once against args[0] (a simulator URL whose
 * fault ends every one of them: a rate-limited handshake), all ending within a second or two. Then
 * prints the agent's count of those ends from its metrics endpoint (args[2]: its port) and exits,
 * which makes the agent report what its log left out.
 */
public final class StormApp {

    public static void main(String[] args) throws Exception {
        String url = args[0];
        int sessions = Integer.parseInt(args[1]);
        Dispatcher dispatcher = new Dispatcher();
        dispatcher.setMaxRequests(sessions);
        dispatcher.setMaxRequestsPerHost(sessions);
        OkHttpClient client = new OkHttpClient.Builder().dispatcher(dispatcher).build();
        CountDownLatch ended = new CountDownLatch(sessions);
        long start = System.nanoTime();
        for (int i = 0; i < sessions; i++) {
            client.newWebSocket(new Request.Builder().url(url).header("Authorization", "Token secret-test-key").build(),
                    new WebSocketListener() {
                        @Override
                        public void onFailure(WebSocket ws, Throwable t, Response response) {
                            ended.countDown();
                        }

                        @Override
                        public void onClosed(WebSocket ws, int code, String reason) {
                            ended.countDown();
                        }
                    });
        }
        boolean all = ended.await(60, TimeUnit.SECONDS);
        System.out.println("STORM ended=" + all + " millis=" + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        HttpResponse<String> metrics = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + args[2] + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        for (String line : metrics.body().split("\n")) {
            if (line.startsWith("deepgram_agent_sessions_ended_total{") && !line.endsWith(" 0.0")) {
                System.out.println("METRIC " + line);
            }
        }
        client.dispatcher().executorService().shutdown();
        client.connectionPool().evictAll();
        System.exit(0);
    }
}
