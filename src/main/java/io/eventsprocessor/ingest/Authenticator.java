package io.eventsprocessor.ingest;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Locale;

/**
 * Checks a request's {@code Authorization} header. Every failure is the same {@link Unauthorized}, whatever was
 * wrong (no header, another scheme, a wrong key, a bad signature, an expired token): a client learns nothing
 * about which part to change. Why it failed is only logged, without the credential.
 */
public interface Authenticator {

  /** How requests are authenticated; {@code none} for development only. */
  enum Mode { none, writeKey, jwt }

  /**
   * @param writeKey      the app's shared key, in {@code writeKey} mode
   * @param hs256Secret   the HMAC secret of HS256 tokens, in {@code jwt} mode; empty when unused
   * @param rs256PublicKey the PEM public key of RS256 tokens, in {@code jwt} mode; empty when unused
   */
  record Settings(Mode mode, String writeKey, String hs256Secret, String rs256PublicKey) {
    @Override
    public String toString() {
      // Secrets stay out of logs and exception messages.
      return "Settings[mode=" + mode + ", writeKey=" + (writeKey.isEmpty() ? "" : "***")
          + ", hs256Secret=" + (hs256Secret.isEmpty() ? "" : "***") + ", rs256PublicKey=" + rs256PublicKey + "]";
    }
  }

  /** The credentials are missing or wrong; the message is for the log only. */
  final class Unauthorized extends Exception {
    Unauthorized(String reason) {
      super(reason, null, false, false);
    }
  }

  /** Seconds of tolerance for a token's exp, nbf and iat against the server's clock. */
  int JWT_LEEWAY_SECONDS = 30;

  /** Who the caller is; fails with {@link Unauthorized}. */
  Future<Caller> authenticate(String authorization);

  static Authenticator create(Vertx vertx, Settings settings) {
    return switch (settings.mode()) {
      case none -> authorization -> Future.succeededFuture(Caller.ANONYMOUS);
      case writeKey -> writeKey(settings.writeKey());
      case jwt -> jwt(vertx, settings);
    };
  }

  /**
   * The app's shared key, as Segment takes it: {@code Bearer <key>}, or {@code Basic} with the key as the user name
   * (any password). Compared in constant time, through digests so that not even the length leaks.
   */
  private static Authenticator writeKey(String key) {
    byte[] expected = sha256(key);
    return authorization -> {
      String given = credential(authorization);
      if (given == null) {
        return Future.failedFuture(new Unauthorized("no write key"));
      }
      if (!MessageDigest.isEqual(expected, sha256(given))) {
        return Future.failedFuture(new Unauthorized("wrong write key"));
      }
      return Future.succeededFuture(Caller.APP);
    };
  }

  /** The key of a Bearer or Basic header (for Basic, the user name), or null. */
  private static String credential(String authorization) {
    if (authorization == null) {
      return null;
    }
    String header = authorization.trim();
    int space = header.indexOf(' ');
    if (space < 0) {
      return null;
    }
    String scheme = header.substring(0, space).toLowerCase(Locale.ROOT);
    String value = header.substring(space + 1).trim();
    if (scheme.equals("bearer")) {
      return value.isEmpty() ? null : value;
    }
    if (scheme.equals("basic")) {
      String decoded;
      try {
        decoded = new String(Base64.getDecoder().decode(value), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        return null;
      }
      int colon = decoded.indexOf(':');
      String user = colon < 0 ? decoded : decoded.substring(0, colon);
      return user.isEmpty() ? null : user;
    }
    return null;
  }

  /**
   * Tokens signed with HS256 or RS256 by the keys from the config (the algorithm in a token's header picks the key;
   * "none" and every other algorithm are refused). A token must carry {@code sub}, the user it speaks for, and
   * {@code exp}: a token that never expires is not accepted.
   */
  private static Authenticator jwt(Vertx vertx, Settings settings) {
    JWTAuthOptions options = new JWTAuthOptions()
        .setJWTOptions(new JWTOptions().setLeeway(JWT_LEEWAY_SECONDS));
    if (!settings.hs256Secret().isEmpty()) {
      options.addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(settings.hs256Secret()));
    }
    if (!settings.rs256PublicKey().isEmpty()) {
      options.addPubSecKey(new PubSecKeyOptions().setAlgorithm("RS256").setBuffer(settings.rs256PublicKey()));
    }
    JWTAuth provider = JWTAuth.create(vertx, options);
    return authorization -> {
      String header = authorization == null ? "" : authorization.trim();
      if (!header.regionMatches(true, 0, "Bearer ", 0, 7) || header.length() == 7) {
        return Future.failedFuture(new Unauthorized("no bearer token"));
      }
      Future<io.vertx.ext.auth.User> user;
      try {
        user = provider.authenticate(new TokenCredentials(header.substring(7).trim()));
      } catch (RuntimeException e) {
        // The provider throws for some malformed claims (an exp that is not a number) instead of failing.
        return Future.failedFuture(new Unauthorized("malformed token: " + e.getClass().getSimpleName()));
      }
      return user.recover(e -> Future.failedFuture(new Unauthorized("token refused: " + e.getMessage())))
          .compose(u -> {
            JsonObject claims = u.attributes().getJsonObject("accessToken", new JsonObject());
            if (!(claims.getValue("sub") instanceof String subject) || subject.isBlank()) {
              return Future.failedFuture(new Unauthorized("token without sub"));
            }
            if (!(claims.getValue("exp") instanceof Number)) {
              return Future.failedFuture(new Unauthorized("token without exp"));
            }
            return Future.succeededFuture(Caller.user(subject));
          });
    };
  }

  private static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }
}
