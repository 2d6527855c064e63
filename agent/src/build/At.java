/** Scenario for list-bytebuddy-classes.sh: a session before the agent is attached, and one after. */
public class At {
    public static void main(String[] args) throws Exception {
        if (args.length > 3 && args[3].equals("jdk")) {
            jdk(args);
            return;
        }
        okhttp3.OkHttpClient client = new okhttp3.OkHttpClient();
        for (int i = 0; i < Integer.parseInt(args[1]); i++) {
            java.util.concurrent.CountDownLatch open = new java.util.concurrent.CountDownLatch(1);
            okhttp3.WebSocket ws = client.newWebSocket(new okhttp3.Request.Builder().url(args[0])
                    .header("Authorization", "Token bench").build(), new okhttp3.WebSocketListener() {
                @Override
                public void onOpen(okhttp3.WebSocket w, okhttp3.Response r) {
                    open.countDown();
                }
            });
            open.await(10, java.util.concurrent.TimeUnit.SECONDS);
            ws.send(okio.ByteString.of(new byte[640]));
            ws.close(1000, null);
            System.out.println("session " + i);
            Thread.sleep(Long.parseLong(args[2]));
        }
        System.exit(0);
    }

    /** The same with the JDK's java.net.http.WebSocket (a Flux-free v1 session, one frame, a close). */
    static void jdk(String[] args) throws Exception {
        java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
        for (int i = 0; i < Integer.parseInt(args[1]); i++) {
            java.net.http.WebSocket ws = client.newWebSocketBuilder().header("Authorization", "Token bench")
                    .buildAsync(java.net.URI.create(args[0]), new java.net.http.WebSocket.Listener() {
                    }).get(10, java.util.concurrent.TimeUnit.SECONDS);
            ws.sendBinary(java.nio.ByteBuffer.allocate(640), true).get(10, java.util.concurrent.TimeUnit.SECONDS);
            ws.sendClose(java.net.http.WebSocket.NORMAL_CLOSURE, "").get(10, java.util.concurrent.TimeUnit.SECONDS);
            System.out.println("jdk session " + i);
            Thread.sleep(Long.parseLong(args[2]));
        }
        System.exit(0);
    }
}
