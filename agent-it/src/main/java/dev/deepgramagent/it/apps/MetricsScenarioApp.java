package dev.deepgramagent.it.apps;

import dev.deepgramagent.simulator.TestAudio;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import okio.ByteString;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Waits for "start" on stdin, runs a fixed set of sessions one after the other against the
 * simulator (args[0]: its /v1/listen URL with audio parameters; args[1]: its Flux /v2/listen URL
 * with audio parameters), prints SCENARIOS DONE, then stays
 * up until "exit" on stdin so Prometheus can scrape the agent. The expected metric values are in MetricsEndToEndTest.
 */
public final class MetricsScenarioApp {

    private static final OkHttpClient CLIENT = new OkHttpClient.Builder().readTimeout(0, TimeUnit.MILLISECONDS).build();

    interface Behaviour {
        void run(WebSocket ws, Session s) throws Exception;
    }

    static final class Session extends WebSocketListener {
        final CountDownLatch ended = new CountDownLatch(1);
        final CountDownLatch flushed = new CountDownLatch(1);
        final CountDownLatch endOfTurn = new CountDownLatch(1);
        final CountDownLatch coveredToOneSecond = new CountDownLatch(1);

        @Override
        public void onMessage(WebSocket ws, String text) {
            if (text.contains("\"from_finalize\":true")) {
                flushed.countDown();
            }
            if (text.contains("\"event\":\"EndOfTurn\"")) {
                endOfTurn.countDown();
            }
            if (text.contains("\"event\":\"Update\"") && text.contains("\"audio_window_end\":1.000")) {
                coveredToOneSecond.countDown();
            }
        }

        @Override
        public void onClosing(WebSocket ws, int code, String reason) {
            ws.close(1000, null);
        }

        @Override
        public void onClosed(WebSocket ws, int code, String reason) {
            ended.countDown();
        }

        @Override
        public void onFailure(WebSocket ws, Throwable t, Response response) {
            ended.countDown();
        }
    }

    public static void main(String[] args) throws Exception {
        String url = args[0];
        String flux = args[1];
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        // Start only once Prometheus has scraped the zero values: increase() needs that baseline.
        System.out.println("READY");
        System.out.flush();
        if (!"start".equals(in.readLine())) {
            return;
        }
        for (int i = 0; i < 2; i++) {
            run("rescue", url, (ws, s) -> {
                send(ws, 0, 75);
                ws.close(1000, "Client disconnecting");
            });
        }
        run("pause survived", url + "&sim_idle_timeout=2s", (ws, s) -> {
            send(ws, 0, 25);
            s.ended.await(3, TimeUnit.SECONDS); // a 3 s gap in the audio: the agent's KeepAlive bridges it
            send(ws, 25, 25);
            ws.send("{\"type\":\"CloseStream\"}");
        });
        for (int i = 0; i < 2; i++) {
            run("idle timeout", url + "&sim_idle_timeout=600ms", (ws, s) -> {
                send(ws, 0, 25);
                ws.send("{\"type\":\"Finalize\"}");
                s.flushed.await(5, TimeUnit.SECONDS);
            });
        }
        run("bad audio", url + "&sim_fault=bad_audio", (ws, s) -> send(ws, 0, 1));
        run("rate limited", url + "&sim_fault=reject_429", (ws, s) -> { });
        run("bad key", url + "&sim_fault=reject_401", (ws, s) -> { });
        run("processing timeout", url + "&sim_fault=net0000&sim_fault_after=300ms", (ws, s) -> { });
        run("reset", url + "&sim_fault=reset&sim_fault_after=300ms", (ws, s) -> { });
        // The official SDK's reconnect: same x-deepgram-session-id after an abnormal end. Then a fresh client.
        run("reconnect chain: reset", url + "&sim_fault=reset&sim_fault_after=300ms", "chain-1", (ws, s) -> { });
        run("reconnect chain: reconnected", url, "chain-1", (ws, s) -> {
            send(ws, 0, 25);
            ws.send("{\"type\":\"CloseStream\"}");
        });
        run("fresh client", url, "chain-2", (ws, s) -> {
            send(ws, 0, 25);
            ws.send("{\"type\":\"CloseStream\"}");
        });
        run("configure", url, (ws, s) -> {
            send(ws, 0, 25);
            ws.send("{\"type\":\"Configure\",\"keyterms\":[\"alpha\"]}");
            ws.send("{\"type\":\"Configure\",\"keyterms\":\"not-a-list\"}");
            ws.send("{\"type\":\"CloseStream\"}");
        });
        // Diagnostics: a WAV file streamed where raw 16 kHz mono linear16 is declared (warned at its
        // first frame; the simulator transcribes the header as noise), and a settings combination
        // Deepgram refuses at the handshake.
        run("wav in linear16", url, (ws, s) -> {
            ws.send(ByteString.of(wavHeader()));
            send(ws, 0, 25);
            ws.send("{\"type\":\"CloseStream\"}");
        });
        run("utterance_end_ms without interim_results", url + "&utterance_end_ms=1000", (ws, s) -> { });
        // Flux: its normal end (the turn ended, CloseStream, close without status code), a v1-only
        // message it rejects, and a close in the middle of a turn that the agent's ForceEndTurn rescues.
        run("flux clean", flux, (ws, s) -> {
            send(ws, 0, 25);
            sendSilence(ws, 25);
            // A voice agent ends the call once the caller's turn has ended; here also once Flux has
            // confirmed the silence after it, so the agent has no reason to send ForceEndTurn.
            s.endOfTurn.await(5, TimeUnit.SECONDS);
            s.coveredToOneSecond.await(5, TimeUnit.SECONDS);
            ws.send("{\"type\":\"CloseStream\"}");
        });
        run("flux keepalive", flux, (ws, s) -> {
            send(ws, 0, 5);
            ws.send("{\"type\":\"KeepAlive\"}");
        });
        run("flux rescue", flux, (ws, s) -> {
            send(ws, 0, 25);
            ws.close(1000, "Client disconnecting");
        });
        // The JDK's own WebSocket client: a close right after the audio, rescued; a rejected key.
        runJdk("jdk rescue", url, true);
        runJdk("jdk bad key", url + "&sim_fault=reject_401", false);
        // Plain Netty (the sample app's client), nv-websocket-client, Java-WebSocket, Jetty and Tyrus (the stacks' clients): the same two.
        for (String client : new String[] {"netty", "dev.deepgramagent.it.stacks.NvWebSocketClient",
                "dev.deepgramagent.it.stacks.JavaWebSocketClient", "dev.deepgramagent.it.stacks.JettyClient",
                "dev.deepgramagent.it.stacks.TyrusClient"}) {
            String name = client.substring(client.lastIndexOf('.') + 1);
            runSender(name + " rescue", client, url);
            runSender(name + " bad key", client, url + "&sim_fault=reject_401");
        }
        System.out.println("SCENARIOS DONE");
        System.out.flush();
        String line;
        while ((line = in.readLine()) != null && !line.equals("exit")) {
            // keep serving /metrics
        }
        CLIENT.dispatcher().executorService().shutdown();
        System.exit(0);
    }

    private static void run(String name, String url, Behaviour behaviour) throws Exception {
        run(name, url, null, behaviour);
    }

    private static void run(String name, String url, String sessionId, Behaviour behaviour) throws Exception {
        Session s = new Session();
        Request.Builder request = new Request.Builder().url(url).header("Authorization", "Token secret-test-key");
        if (sessionId != null) {
            request.header("x-deepgram-session-id", sessionId);
        }
        WebSocket ws = CLIENT.newWebSocket(request.build(), s);
        behaviour.run(ws, s);
        boolean ended = s.ended.await(20, TimeUnit.SECONDS);
        System.out.println("SCENARIO " + name + " ended=" + ended);
    }

    /** A session on java.net.http.WebSocket: 1.5 s of audio, each send awaited, then sendClose at once. */
    private static void runJdk(String name, String url, boolean expectOpen) throws Exception {
        CountDownLatch ended = new CountDownLatch(1);
        java.net.http.WebSocket.Listener listener = new java.net.http.WebSocket.Listener() {
            @Override
            public java.util.concurrent.CompletionStage<?> onClose(java.net.http.WebSocket ws, int code, String reason) {
                ended.countDown();
                return null;
            }

            @Override
            public void onError(java.net.http.WebSocket ws, Throwable error) {
                ended.countDown();
            }
        };
        try {
            java.net.http.WebSocket ws = java.net.http.HttpClient.newHttpClient().newWebSocketBuilder()
                    .header("Authorization", "Token secret-test-key")
                    .buildAsync(java.net.URI.create(url), listener).get(10, TimeUnit.SECONDS);
            for (int i = 0; i < 75; i++) {
                ws.sendBinary(java.nio.ByteBuffer.wrap(TestAudio.chunk(i)), true).get(5, TimeUnit.SECONDS);
            }
            ws.sendClose(java.net.http.WebSocket.NORMAL_CLOSURE, "Client disconnecting").get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (expectOpen) {
                throw e;
            }
            ended.countDown(); // the handshake was refused, as expected
        }
        System.out.println("SCENARIO " + name + " ended=" + ended.await(20, TimeUnit.SECONDS));
    }

    /**
     * A session on one of the sample app's clients (plain Netty, or a stack's client class by name):
     * 1.5 s of audio sent at once, then the app's close.
     */
    private static void runSender(String name, String client, String url) throws Exception {
        CountDownLatch ended = new CountDownLatch(1);
        dev.deepgramagent.demo.SampleApp.Options options = new dev.deepgramagent.demo.SampleApp.Options(new String[] {"url=" + url});
        dev.deepgramagent.demo.SampleApp.Messages messages =
                new dev.deepgramagent.demo.SampleApp.Messages(new java.util.ArrayList<>(), new CountDownLatch(1));
        dev.deepgramagent.demo.SampleApp.Sender sender = client.equals("netty")
                ? dev.deepgramagent.demo.NettyClient.connect(options, messages, ended)
                : (dev.deepgramagent.demo.SampleApp.Sender) Class.forName(client)
                        .getMethod("connect", options.getClass(), messages.getClass(), CountDownLatch.class)
                        .invoke(null, options, messages, ended);
        if (sender == null) {
            System.out.println("SCENARIO " + name + " ended=true"); // the handshake was refused, as expected
            return;
        }
        for (int i = 0; i < 75; i++) {
            sender.sendAudio(TestAudio.chunk(i));
        }
        sender.close();
        System.out.println("SCENARIO " + name + " ended=" + ended.await(20, TimeUnit.SECONDS));
        sender.shutdown();
    }

    /** A 44-byte WAV header of 44.1 kHz stereo, as javax.sound.sampled writes it (no samples). */
    private static byte[] wavHeader() throws Exception {
        javax.sound.sampled.AudioFormat format = new javax.sound.sampled.AudioFormat(44100, 16, 2, true, false);
        javax.sound.sampled.AudioInputStream in = new javax.sound.sampled.AudioInputStream(
                new java.io.ByteArrayInputStream(new byte[0]), format, 0);
        java.io.ByteArrayOutputStream file = new java.io.ByteArrayOutputStream();
        javax.sound.sampled.AudioSystem.write(in, javax.sound.sampled.AudioFileFormat.Type.WAVE, file);
        return file.toByteArray();
    }

    private static void sendSilence(WebSocket ws, int count) {
        for (int i = 0; i < count; i++) {
            ws.send(ByteString.of(TestAudio.silence()));
        }
    }

    private static void send(WebSocket ws, int from, int count) {
        for (int i = from; i < from + count; i++) {
            ws.send(ByteString.of(TestAudio.chunk(i)));
        }
    }
}
