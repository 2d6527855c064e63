package dev.deepgramagent.it;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A server that accepts connections and never answers: handshakes to it only end by a timeout. */
final class Blackhole implements AutoCloseable {

    private final ServerSocket server = new ServerSocket(0);
    private final List<Socket> held = new CopyOnWriteArrayList<>();

    Blackhole() throws IOException {
        Thread acceptor = new Thread(() -> {
            try {
                while (true) {
                    held.add(server.accept());
                }
            } catch (Exception closed) {
                // the test is over
            }
        }, "blackhole");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** A Deepgram-shaped URL on this server. */
    String listenUrl() {
        return "ws://127.0.0.1:" + server.getLocalPort() + "/v1/listen" + Streaming.AUDIO;
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : held) {
            s.close();
        }
    }
}
