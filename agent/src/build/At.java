/** Scenario for list-bytebuddy-classes.sh: a session before the agent is attached, and one after. */
public class At {
    public static void main(String[] args) throws Exception {
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
}
