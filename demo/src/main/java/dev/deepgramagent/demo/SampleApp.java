package dev.deepgramagent.demo;

import dev.deepgramagent.simulator.TestAudio;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import okio.ByteString;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The demo's sample service (also the integration tests' app): streams audio to Deepgram over
 * OkHttp the way real apps do, and reports on stdout
 * what it received. Options (key=value): url, seconds (audio length), realtime (pace at 20 ms per
 * chunk), pause_after and pause (seconds of silence from the app, no frames at all), tail_silence
 * (seconds of silent frames after the audio), text and text2 (text frames sent after the audio),
 * end (close | close_twice | finalize_then_close | closestream | cancel | exit | none), sdk (use the official SDK's
 * call pattern, reconnects included; reconnect_url is where its reconnects go, the url by default),
 * session_id (an x-deepgram-session-id header, as the SDK sends), ping_ms (OkHttp's ping interval),
 * await_turn_end (Flux: wait for an EndOfTurn before the end, as a voice agent does), wav_header
 * (rate:channels: the audio starts with a WAV file's header, as when a file is streamed as raw audio),
 * print_metrics (a port: print the agent's non-zero warning and saved counters and the longest-gap
 * histogram's 10 s and 15 s buckets after the end, and
 * with print_metrics_open=true also while the session is open, which delays the end),
 * wait (seconds to wait for the end). On /v1/listen the words are those of final results; on Flux
 * (/v2/listen), those of EndOfTurn messages.
 *
 * client=jdk streams with the JDK's own java.net.http.WebSocket instead (see {@link JdkClient}), client=netty
 * with plain Netty (see {@link NettyClient}), client=&lt;class name&gt; with another client (see {@link #connect}).
 *
 * <p>Output lines: OPEN, FINAL words..., CLOSING code reason, CLOSED code, FAILURE class status,
 * RECONNECT n, and at the end DONE words=n.
 */
public final class SampleApp {

    private static final Pattern WORD = Pattern.compile("\"word\":\"([^\"]+)\"");

    public static void main(String[] args) throws Exception {
        Options o = new Options(args);
        OkHttpClient client = new OkHttpClient.Builder().readTimeout(0, TimeUnit.MILLISECONDS)
                .pingInterval((long) o.number("ping_ms", 0), TimeUnit.MILLISECONDS).build();
        List<String> words = new ArrayList<>();
        CountDownLatch ended = new CountDownLatch(1);
        CountDownLatch turnEnded = new CountDownLatch(1);
        Messages messages = new Messages(words, turnEnded);
        WebSocketListener listener = new WebSocketListener() {
            @Override
            public void onOpen(WebSocket ws, Response response) {
                out("OPEN request_id=" + response.header("dg-request-id"));
            }

            @Override
            public void onMessage(WebSocket ws, String text) {
                messages.received(text);
            }

            @Override
            public void onClosing(WebSocket ws, int code, String reason) {
                out("CLOSING " + code + " " + reason);
                ws.close(1000, null);
            }

            @Override
            public void onClosed(WebSocket ws, int code, String reason) {
                out("CLOSED " + code);
                ended.countDown();
            }

            @Override
            public void onFailure(WebSocket ws, Throwable t, Response response) {
                out("FAILURE " + t.getClass().getName() + " " + (response == null ? 0 : response.code()));
                ended.countDown();
            }
        };

        Sender sender;
        String clientName = o.get("client", "okhttp");
        if (!clientName.equals("okhttp")) {
            sender = connect(clientName, o, messages, ended);
            if (sender == null) {
                out("DONE ended=true words=0");
                System.exit(0);
            }
        } else if (o.flag("sdk")) {
            SdkStyleClient sdk = new SdkStyleClient(client, o.get("url"), o.get("reconnect_url", o.get("url")), "secret-test-key", listener);
            sdk.connect();
            sender = sdk;
        } else {
            Request.Builder builder = new Request.Builder().url(o.get("url")).header("Authorization", "Token secret-test-key");
            if (o.get("session_id", null) != null) {
                builder.header("x-deepgram-session-id", o.get("session_id"));
            }
            Request request = builder.build();
            WebSocket ws = client.newWebSocket(request, listener);
            sender = new Sender() {
                @Override
                public boolean sendAudio(byte[] audio) {
                    return ws.send(ByteString.of(audio));
                }

                @Override
                public boolean sendText(String text) {
                    return ws.send(text);
                }

                @Override
                public boolean close() {
                    return ws.close(1000, "Client disconnecting");
                }

                @Override
                public void cancel() {
                    ws.cancel();
                }
            };
        }

        if (o.get("wav_header", null) != null) {
            String[] wav = o.get("wav_header").split(":");
            sender.sendAudio(wavHeader(Float.parseFloat(wav[0]), Integer.parseInt(wav[1])));
        }
        int chunks = (int) Math.round(o.number("seconds", 2) * 50);
        int pauseAfter = (int) Math.round(o.number("pause_after", -1) * 50);
        long pauseMillis = (long) (o.number("pause", 0) * 1000);
        boolean realtime = o.flag("realtime");
        long start = System.nanoTime();
        long pausedNanos = 0;
        for (int i = 0; i < chunks; i++) {
            if (i == pauseAfter && pauseMillis > 0) {
                out("PAUSE " + pauseMillis);
                ended.await(pauseMillis, TimeUnit.MILLISECONDS); // a gap in the audio, or an early end
                pausedNanos += TimeUnit.MILLISECONDS.toNanos(pauseMillis);
                if (ended.getCount() == 0) {
                    break;
                }
            }
            if (realtime) {
                long due = start + pausedNanos + TimeUnit.MILLISECONDS.toNanos(20L * i);
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    ended.await(wait, TimeUnit.NANOSECONDS);
                }
            }
            sender.sendAudio(TestAudio.chunk(i));
        }
        int silent = (int) Math.round(o.number("tail_silence", 0) * 50);
        long silenceStart = System.nanoTime();
        for (int i = 0; i < silent; i++) {
            if (realtime) {
                long wait = silenceStart + TimeUnit.MILLISECONDS.toNanos(20L * i) - System.nanoTime();
                if (wait > 0) {
                    ended.await(wait, TimeUnit.NANOSECONDS);
                }
            }
            sender.sendAudio(TestAudio.silence());
        }
        out("SENT " + chunks);
        if (o.get("print_metrics", null) != null && o.flag("print_metrics_open")) {
            printAgentCounters(Integer.parseInt(o.get("print_metrics")), "METRIC ");
        }
        if (o.flag("await_turn_end")) {
            out("TURN ENDED " + turnEnded.await(5, TimeUnit.SECONDS)); // a voice agent ends the call after the caller's turn
        }
        for (String key : new String[] {"text", "text2"}) {
            if (o.get(key, null) != null) {
                out("TEXT sent=" + sender.sendText(o.get(key)));
            }
        }

        String end = o.get("end", "close");
        switch (end) {
            case "close":
                out("CLOSE returned " + sender.close());
                break;
            case "close_twice":
                // As apps that close in a listener and again in a finally block.
                out("CLOSE returned " + sender.close());
                out("CLOSE again returned " + sender.close());
                break;
            case "finalize_then_close":
                sender.sendText("{\"type\":\"Finalize\"}");
                out("CLOSE returned " + sender.close());
                break;
            case "closestream":
                out("CLOSESTREAM sent=" + sender.sendText("{\"type\":\"CloseStream\"}"));
                break;
            case "cancel":
                sender.cancel();
                break;
            case "exit":
                out("EXIT with the session open");
                System.exit(0);
                break;
            default:
                break;
        }
        boolean done = ended.await((long) (o.number("wait", 15) * 1000), TimeUnit.MILLISECONDS);
        if (o.get("print_metrics", null) != null) {
            printAgentCounters(Integer.parseInt(o.get("print_metrics")), "METRIC_END ");
        }
        synchronized (words) {
            out("DONE ended=" + done + " words=" + words.size() + (words.isEmpty() ? "" : " last=" + words.get(words.size() - 1)));
        }
        client.dispatcher().executorService().shutdown();
        client.connectionPool().evictAll();
        sender.shutdown();
        System.exit(0);
    }

    /**
     * A client other than OkHttp: jdk, netty, or the name of a class with a static
     * {@code connect(Options, Messages, CountDownLatch)} returning a Sender (the integration tests'
     * reactor-netty and Vert.x apps); null when its handshake failed.
     */
    private static Sender connect(String name, Options o, Messages messages, CountDownLatch ended) throws Exception {
        switch (name) {
            case "jdk":
                return JdkClient.connect(o, messages, ended);
            case "netty":
                return NettyClient.connect(o, messages, ended);
            default:
                java.lang.reflect.Method connect = Class.forName(name)
                        .getMethod("connect", Options.class, Messages.class, CountDownLatch.class);
                return (Sender) connect.invoke(null, o, messages, ended);
        }
    }

    /** The header of a real WAV file, as javax.sound.sampled writes it, with 20 ms of silence after it. */
    static byte[] wavHeader(float rate, int channels) throws Exception {
        javax.sound.sampled.AudioFormat format = new javax.sound.sampled.AudioFormat(rate, 16, channels, true, false);
        int frames = (int) (rate / 50);
        javax.sound.sampled.AudioInputStream in = new javax.sound.sampled.AudioInputStream(
                new java.io.ByteArrayInputStream(new byte[frames * 2 * channels]), format, frames);
        java.io.ByteArrayOutputStream file = new java.io.ByteArrayOutputStream();
        javax.sound.sampled.AudioSystem.write(in, javax.sound.sampled.AudioFileFormat.Type.WAVE, file);
        return file.toByteArray();
    }

    /** The agent's warning and saved counters as its metrics endpoint serves them now (non-zero ones). */
    static void printAgentCounters(int port, String prefix) throws Exception {
        java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        for (String line : r.body().split("\n")) {
            boolean counter = (line.startsWith("deepgram_agent_session_warnings_total{") || line.startsWith("deepgram_agent_sessions_saved_total{"))
                    && !line.endsWith(" 0.0");
            boolean gapAround14s = line.startsWith("deepgram_agent_send_gap_longest_seconds_bucket{")
                    && (line.contains("le=\"10.0\"") || line.contains("le=\"15.0\""));
            if (counter || gapAround14s) {
                out(prefix + line);
            }
        }
    }

    /** What the app makes of Deepgram's messages, whichever client received them. */
    public static final class Messages {
        private final List<String> words;
        private final CountDownLatch turnEnded;

        public Messages(List<String> words, CountDownLatch turnEnded) {
            this.words = words;
            this.turnEnded = turnEnded;
        }

        public void received(String text) {
            boolean finalResult = text.contains("\"type\":\"Results\"") && text.contains("\"is_final\":true");
            boolean endOfTurn = text.contains("\"type\":\"TurnInfo\"") && text.contains("\"event\":\"EndOfTurn\"");
            if (!finalResult && !endOfTurn && text.contains("\"type\":\"")) {
                int from = text.indexOf("\"type\":\"") + 8;
                String type = text.substring(from, text.indexOf('"', from));
                if (!type.equals("Results") && !type.equals("TurnInfo")) {
                    out("MESSAGE " + type);
                }
            }
            if (endOfTurn) {
                turnEnded.countDown();
            }
            if (finalResult || endOfTurn) {
                List<String> w = new ArrayList<>();
                Matcher m = WORD.matcher(text);
                while (m.find()) {
                    w.add(m.group(1));
                }
                synchronized (words) {
                    words.addAll(w);
                }
                out("FINAL " + String.join(" ", w));
            }
        }
    }

    public static synchronized void out(String line) {
        System.out.println(line);
        System.out.flush();
    }

    /** One client library's way to stream: SampleApp drives any of them the same way. */
    public interface Sender {
        boolean sendAudio(byte[] audio);

        boolean sendText(String text);

        boolean close();

        void cancel();

        /** Frees the client's threads before the app exits. */
        default void shutdown() {
        }
    }

    public static final class Options {
        private final java.util.Map<String, String> values = new java.util.HashMap<>();

        public Options(String[] args) {
            for (String a : args) {
                int eq = a.indexOf('=');
                values.put(eq < 0 ? a : a.substring(0, eq), eq < 0 ? "true" : a.substring(eq + 1));
            }
        }

        public String get(String key) {
            String v = values.get(key);
            if (v == null) {
                throw new IllegalArgumentException("missing " + key);
            }
            return v;
        }

        public String get(String key, String dflt) {
            return values.getOrDefault(key, dflt);
        }

        public double number(String key, double dflt) {
            return values.containsKey(key) ? Double.parseDouble(values.get(key)) : dflt;
        }

        public boolean flag(String key) {
            return Boolean.parseBoolean(values.getOrDefault(key, "false"));
        }
    }
}
