package dev.deepgramagent.simulator;

import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import okio.ByteString;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** An OkHttp WebSocket client that records everything it receives. */
final class OkClient extends WebSocketListener {

    static final OkHttpClient HTTP = client();

    private static OkHttpClient client() {
        okhttp3.Dispatcher dispatcher = new okhttp3.Dispatcher();
        dispatcher.setMaxRequests(2000);          // every WebSocket holds a call while it connects
        dispatcher.setMaxRequestsPerHost(2000);
        return new OkHttpClient.Builder().dispatcher(dispatcher).readTimeout(0, TimeUnit.SECONDS).build();
    }
    private static final Pattern WORD = Pattern.compile("\"word\":\"([^\"]+)\"");

    final List<String> messages = new CopyOnWriteArrayList<>();
    final CompletableFuture<Response> opened = new CompletableFuture<>();
    final CompletableFuture<int[]> closing = new CompletableFuture<>();
    final CompletableFuture<String> closeReason = new CompletableFuture<>();
    final CompletableFuture<Throwable> failure = new CompletableFuture<>();
    final CompletableFuture<Response> failureResponse = new CompletableFuture<>();
    WebSocket socket;

    static OkClient connect(String url) {
        return connect(new Request.Builder().url(url).header("Authorization", "Token test-key").build());
    }

    static OkClient connect(Request request) {
        return connect(HTTP, request);
    }

    /** With another client, e.g. {@code HTTP.newBuilder().pingInterval(...).build()}. */
    static OkClient connect(OkHttpClient http, String url) {
        return connect(http, new Request.Builder().url(url).header("Authorization", "Token test-key").build());
    }

    static OkClient connect(OkHttpClient http, Request request) {
        OkClient c = new OkClient();
        c.socket = http.newWebSocket(request, c);
        return c;
    }

    OkClient awaitOpen() throws Exception {
        opened.get(10, TimeUnit.SECONDS);
        return this;
    }

    void sendAudio(byte[] audio) {
        socket.send(ByteString.of(audio));
    }

    void stream(int fromSeq, int count) {
        for (int i = 0; i < count; i++) {
            sendAudio(TestAudio.chunk(fromSeq + i));
        }
    }

    @Override
    public synchronized void onOpen(WebSocket webSocket, Response response) {
        opened.complete(response);
    }

    @Override
    public synchronized void onMessage(WebSocket webSocket, String text) {
        messages.add(text);
        notifyAll();
    }

    @Override
    public void onClosing(WebSocket webSocket, int code, String reason) {
        closing.complete(new int[] {code});
        closeReason.complete(reason);
        webSocket.close(code == 1005 ? 1000 : code, null);
        synchronized (this) {
            notifyAll();
        }
    }

    @Override
    public void onFailure(WebSocket webSocket, Throwable t, Response response) {
        opened.completeExceptionally(t);
        failure.complete(t);
        failureResponse.complete(response);
        synchronized (this) {
            notifyAll();
        }
    }

    int closeCode() throws Exception {
        return closing.get(15, TimeUnit.SECONDS)[0];
    }

    /** Waits for a received message matching the condition. */
    synchronized String awaitMessage(Predicate<String> condition, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (true) {
            for (String m : messages) {
                if (condition.test(m)) {
                    return m;
                }
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
    }

    List<String> ofType(String type) {
        List<String> out = new ArrayList<>();
        for (String m : messages) {
            if (type.equals(JsonSyntax.topLevelString(m, "type"))) {
                out.add(m);
            }
        }
        return out;
    }

    /** Waits for a received message of this {@code type}. */
    String awaitType(String type, long millis) throws InterruptedException {
        return awaitMessage(m -> type.equals(JsonSyntax.topLevelString(m, "type")), millis);
    }

    /** Flux: the TurnInfo messages with this {@code event}, in order. */
    List<String> turnInfos(String event) {
        List<String> out = new ArrayList<>();
        for (String m : ofType("TurnInfo")) {
            if (event.equals(JsonSyntax.topLevelString(m, "event"))) {
                out.add(m);
            }
        }
        return out;
    }

    static String field(String json, String name) {
        return JsonSyntax.topLevelString(json, name);
    }

    /** Words of every final result received, in order. */
    List<String> finalWords() {
        List<String> out = new ArrayList<>();
        for (String m : ofType("Results")) {
            if (m.contains("\"is_final\":true")) {
                out.addAll(words(m));
            }
        }
        return out;
    }

    static List<String> words(String result) {
        List<String> out = new ArrayList<>();
        Matcher m = WORD.matcher(result);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    static List<String> chunkWords(int from, int count) {
        List<String> out = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            out.add("chunk-" + i);
        }
        return out;
    }

    static double number(String json, String field) {
        Matcher m = Pattern.compile("\"" + field + "\":(-?[0-9.]+)").matcher(json);
        if (!m.find()) {
            throw new AssertionError(field + " not in " + json);
        }
        return Double.parseDouble(m.group(1));
    }
}
