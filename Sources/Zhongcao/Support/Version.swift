/// Library-wide facts.
public enum Zhongcao {
  /// The library version, recorded in every model file.
  public static let version = "0.1.0"
}
