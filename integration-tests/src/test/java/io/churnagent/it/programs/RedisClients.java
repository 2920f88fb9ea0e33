package io.churnagent.it.programs;

import com.sun.net.httpserver.HttpServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPool;

/**
 * A gateway whose JDK HttpServer handler makes one Redis call per request to a real
 * {@code redis-server} on loopback, with one client per mode:
 * <ul>
 *   <li>{@code jedis}: {@code new Jedis(...)} per request, the anti-pattern;</li>
 *   <li>{@code jedis-pool}: one shared {@code JedisPool}, a connection borrowed per request;</li>
 *   <li>{@code lettuce}: {@code RedisClient.create} and {@code shutdown()} per request (run on Netty
 *       4.2, whose native epoll transport Lettuce picks when it is there);</li>
 *   <li>{@code lettuce-shared}: one client and one connection.</li>
 * </ul>
 * Arguments: {@code mode redisPort requests}. Prints {@code epoll <true|false>} for Lettuce and
 * {@code ok <n>}. The test finds the expected sites by the {@code SITE:} and {@code CONNECT:}
 * markers.
 */
public final class RedisClients {

    private RedisClients() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        int port = Integer.parseInt(args[1]);
        int requests = Integer.parseInt(args[2]);
        AgentReady.await();
        Gateway.Call call;
        Runnable close = () -> { };
        switch (mode) {
            case "jedis":
                call = () -> jedisPerRequest(port);
                break;
            case "jedis-pool": {
                JedisPool pool = new JedisPool("127.0.0.1", port);
                call = () -> {
                    try (Jedis jedis = pool.getResource()) {
                        return Long.toString(jedis.incr("churn:pooled"));
                    }
                };
                close = pool::close;
                break;
            }
            case "lettuce":
                printEpoll();
                call = () -> lettucePerRequest(port);
                break;
            case "lettuce-shared": {
                printEpoll();
                RedisClient client = RedisClient.create("redis://127.0.0.1:" + port);
                StatefulRedisConnection<String, String> connection = client.connect();
                call = () -> connection.sync().incr("churn:shared").toString();
                close = () -> {
                    connection.close();
                    client.shutdown();
                };
                break;
            }
            default:
                throw new IllegalArgumentException("unknown mode " + mode);
        }
        HttpServer gateway = Gateway.serve(call);
        Gateway.drive(gateway, requests, 50); // a steady rate for 3 s and more: a destination is warned about after 2 s
        gateway.stop(0);
        close.run();
        BridgeFaults.print();
    }

    static String jedisPerRequest(int port) {
        try (Jedis jedis = new Jedis("127.0.0.1", port)) { // SITE:jedis
            return Long.toString(jedis.incr("churn:jedis")); // CONNECT:jedis (a Jedis connects at its first command)
        }
    }

    static String lettucePerRequest(int port) {
        RedisClient client = RedisClient.create("redis://127.0.0.1:" + port); // SITE:lettuce
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            return connection.sync().incr("churn:lettuce").toString();
        } finally {
            client.shutdown();
        }
    }

    private static void printEpoll() throws Exception {
        boolean epoll = (Boolean) Class.forName("io.netty.channel.epoll.Epoll").getMethod("isAvailable").invoke(null);
        String version = io.netty.util.Version.identify().get("netty-transport").artifactVersion();
        System.out.println("epoll " + epoll + " netty " + version);
        if (!epoll) {
            System.exit(3);
        }
    }
}
