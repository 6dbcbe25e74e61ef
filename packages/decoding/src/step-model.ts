/**
 * The backend-neutral contract between the decoding loop and a model. `@lvr/decoding` never imports tfjs or
 * ONNX Runtime: `@lvr/model` implements this for TensorFlow.js (`TfjsStepModel`) and later for ONNX Runtime.
 *
 * A step model holds a batch of B rows in a KV cache. `prefill` runs the prompts (left-padded to a common
 * length, with their images) and creates the cache; each `step` appends exactly one position to every row,
 * whose input is either a token id (normal decoding) or an embedding vector (a latent step: the row's own
 * previous hidden state, or a probe's replacement). Rows that have finished still step (feed the pad id);
 * their outputs are ignored. Positions of new steps are Qwen's decode positions `past_length + rope_delta`
 * on all three M-RoPE axes — latent steps count like tokens.
 */

/** One image as the vision tower takes it: patch rows in the Qwen2.5-VL layout plus the pre-merge grid. */
export interface StepImage {
  /** (rows × rowWidth) row-major float32. */
  pixelValues: Float32Array;
  gridThw: { t: number; h: number; w: number };
}

/** One prompt row. */
export interface PrefillRow {
  /** The prompt token ids (chat template applied, `<|image_pad|>` runs expanded). */
  inputIds: Int32Array;
  /** The images of this row, in the order of its `<|image_pad|>` runs. */
  images?: readonly StepImage[] | undefined;
  /**
   * Probes: replace the input embedding at these prompt positions (0-based in `inputIds`), e.g. LIVR's latent
   * tokens zeroed or replaced by noise. Optional capability: a model without it throws `UNSUPPORTED`.
   */
  embeddingOverrides?: readonly { position: number; vector: Float32Array }[] | undefined;
  /**
   * LIVR's stage-1 bottleneck at test time: image tokens are visible only to image tokens and to the LIVR latent
   * tokens (during the prompt and every later step). Optional capability.
   */
  imageBottleneck?: boolean | undefined;
  /**
   * The visual tokens (n × D row-major) a pointer latent feedback points at for this row, e.g. the perception-free
   * variant's codebook tokens injected through `embeddingOverrides`. Default: `encodeImages(images)`. Only the
   * decoding loop reads it; step models ignore it.
   */
  visualTokens?: Float32Array | undefined;
}

/** Input of one row at one step. */
export type StepInput = { kind: 'token'; id: number } | { kind: 'embedding'; vector: Float32Array };

/** What the model returns for the newest position of every row. */
export interface StepOutput {
  /** (B × V) logits of the newest position of each row. */
  logits: Float32Array;
  /** (B × D) final-norm hidden state of the newest position of each row. */
  hidden: Float32Array;
  /**
   * (B × D) the vector to feed back as the next latent input: the LVR head applied to `hidden` when the model
   * has one, otherwise `hidden` itself.
   */
  latent: Float32Array;
}

/** Opaque handle to a batch's KV cache. */
export interface CacheHandle {
  readonly batchSize: number;
  /** Positions held per row so far (prompt length after left padding + steps). */
  readonly length: number;
}

/** Special token ids the loop needs. */
export interface DecodingTokenIds {
  eosId: number;
  padId: number;
  lvrStartId: number;
  lvrId: number;
  lvrLatentEndId: number;
  lvrEndId: number;
  /** LIVR latent token ids (empty when the model has none). */
  latentIds: readonly number[];
}

export interface StepModel {
  readonly hiddenSize: number;
  readonly vocabSize: number;
  readonly tokens: DecodingTokenIds;
  /** The learned `<|lvr_latent_end|>` embedding (D), when the model has one (latent-end strategy). */
  readonly latentEndEmbedding?: Float32Array | undefined;
  /** A short name of the backend for reports (`tfjs-wasm`, `onnxruntime-node`, `stub`). */
  readonly backend: string;
  /** Runs the prompts and returns the outputs of each row's last prompt position plus the new cache. */
  prefill(rows: readonly PrefillRow[]): Promise<StepOutput & { cache: CacheHandle }>;
  /** Appends one position to every row of the cache (inputs.length === cache.batchSize). */
  step(cache: CacheHandle, inputs: readonly StepInput[]): Promise<StepOutput>;
  /** Frees the cache's memory. Idempotent. */
  release(cache: CacheHandle): void;
  /**
   * Optional: the post-merger visual tokens of images, (Σ tokens × D) in order — what LVR's latents are trained to
   * match; used by visualisations and the "nearest visual token" probe.
   */
  encodeImages?(images: readonly StepImage[]): Promise<Float32Array>;
}
