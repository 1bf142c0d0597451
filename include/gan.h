/**
 * @file gan.h
 * @brief libgan — Generative Adversarial Nets (Goodfellow et al., 2014) in C11.
 *
 * One public header. Plain C with fixed-width types, no packed structs and
 * no \#ifdef variants, so it can be bound from Python ctypes/cffi.
 *
 * @section gan_conventions Conventions
 * - Every function that can fail returns int: #GAN_OK (0) on success, a
 *   negative GAN_E* code on failure (#gan_status). gan_error_last() then
 *   describes what was wrong with which argument or file.
 * - Handles are opaque: `gan_x_create(gan_x **out, ...)` / `gan_x_free(x)`.
 *   Every free function accepts NULL. Output parameters come first.
 * - Arrays cross the API as (const float *x, size_t rows, size_t cols),
 *   row-major, owned by the caller. The library copies what it keeps and
 *   says so in the function's comment; it never keeps a caller's pointer
 *   unless documented.
 * - Options structs start with `unsigned int version`; initialise them with
 *   the GAN_X_OPTIONS_INIT macro or gan_x_options_init(). Unknown versions
 *   are rejected with #GAN_EUNSUPPORTED. Fields are only ever added at the end.
 *
 * @section gan_threads Threads
 * - A handle is used by one thread at a time. Different handles may be used
 *   from different threads concurrently.
 * - A trained net may be read concurrently from several threads through
 *   the const functions (gan_net_forward() and the getters) as long as no
 *   thread modifies it at the same time.
 * - The last-error message and the log callback are per thread.
 * - Only a #gan_session runs work on threads of its own (its `threads`
 *   option); every other function, gan_net_train_forward(), gan_net_backward(),
 *   gan_optimizer_step() and gan_update_d() / gan_update_g() included, runs on
 *   the calling thread (the BLAS may use its own threads for matrix products).
 * - The library keeps no global mutable state: every random draw comes from
 *   a #gan_rng handle the caller (or a handle the caller owns) provides.
 *
 * The library never prints, never calls exit() or abort().
 */
#ifndef GAN_H
#define GAN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @def GAN_EXTERN
 * @brief Marks the functions the shared library exports (default visibility;
 * dllexport when building the library on Windows).
 */
#if defined(_WIN32) && defined(GAN_SHARED_BUILD)
#define GAN_EXTERN __declspec(dllexport)
#elif defined(__GNUC__) || defined(__clang__)
#define GAN_EXTERN __attribute__((visibility("default")))
#else
#define GAN_EXTERN
#endif

/* ------------------------------------------------------------------------ */
/**
 * @defgroup gan_version_group Version
 * @brief Compile-time and run-time versions of the library.
 * @{
 */

/** Major version of this header. */
#define GAN_VERSION_MAJOR 0
/** Minor version of this header. */
#define GAN_VERSION_MINOR 1
/** Patch version of this header. */
#define GAN_VERSION_PATCH 0
/** Version of this header as "MAJOR.MINOR.PATCH". */
#define GAN_VERSION_STRING "0.1.0"
/** Single number for compile-time comparisons: major*10000 + minor*100 + patch. */
#define GAN_VERSION_NUMBER \
    (GAN_VERSION_MAJOR * 10000 + GAN_VERSION_MINOR * 100 + GAN_VERSION_PATCH)

/** ABI version: the number in the shared library's SONAME (libgan.so.N),
 * raised whenever a change breaks programs built against an older gan.h.
 * CMake takes the SOVERSION from this line. */
#define GAN_ABI_VERSION 0

/**
 * @brief Runtime version of the library actually linked. Any pointer may be NULL.
 * @param[out] major Receives the major version (may be NULL).
 * @param[out] minor Receives the minor version (may be NULL).
 * @param[out] patch Receives the patch version (may be NULL).
 * @return #GAN_OK.
 */
GAN_EXTERN int gan_version(int *major, int *minor, int *patch);
/**
 * @brief Runtime version as "MAJOR.MINOR.PATCH".
 * @return The version string: static storage, never NULL.
 */
GAN_EXTERN const char *gan_version_string(void);
/**
 * @brief Name of the CBLAS backend the library was built with, and (OpenBLAS
 * only) the kernel core it runs, e.g. "OpenBLAS (SkylakeX)".
 * @return A static string; never NULL.
 */
GAN_EXTERN const char *gan_blas_info(void);
/**
 * @brief #GAN_ABI_VERSION of the library actually linked.
 *
 * A program or binding that loads libgan at run time (dlopen, Python
 * ctypes) compares it with the #GAN_ABI_VERSION it was written for and
 * refuses a mismatch.
 * @return The linked library's ABI version.
 */
GAN_EXTERN int gan_abi_version(void);

/** @} */

/* ------------------------------------------------------------------------ */
/**
 * @defgroup gan_errors Status codes and errors
 * @brief Return codes, and the per-thread description of the last error.
 * @{
 */

/** Status codes: every function that can fail returns one of these. */
typedef enum gan_status {
    GAN_OK = 0,            /**< success */
    GAN_EINVAL = -1,       /**< invalid argument (NULL, zero size, out of range) */
    GAN_ENOMEM = -2,       /**< out of memory */
    GAN_EIO = -3,          /**< file could not be opened, read or written */
    GAN_EFORMAT = -4,      /**< file or buffer is not in the expected format */
    GAN_ESHAPE = -5,       /**< array or network shapes do not fit together */
    GAN_EDIVERGED = -6,    /**< training produced NaN or Inf */
    GAN_ESTATE = -7,       /**< call not valid in the handle's current state */
    GAN_EUNSUPPORTED = -8, /**< unknown options version, kind or feature */
    GAN_EABORTED = -9      /**< stopped by the user's callback */
} gan_status;

/**
 * @brief Short static description of a status code.
 * @param code A #gan_status value (any int is accepted; unknown codes get
 *             "unknown status code").
 * @return A static string; never NULL.
 */
GAN_EXTERN const char *gan_strerror(int code);
/**
 * @brief Message describing the last error raised on the calling thread,
 * naming the argument or file at fault.
 * @return Never NULL: "no error" when none. The string stays valid until
 *         the next libgan call on this thread.
 */
GAN_EXTERN const char *gan_error_last(void);
/**
 * @brief Code of the last error raised on the calling thread.
 * @return That code, or #GAN_OK if none.
 */
GAN_EXTERN int gan_error_last_code(void);
/** @brief Forget the calling thread's last error. */
GAN_EXTERN void gan_error_clear(void);

/** @} */

/* ------------------------------------------------------------------------ */
/**
 * @defgroup gan_logging Logging
 * @brief Logging: silent by default. The callback is per thread: it
 * receives the messages of libgan calls made on the thread that installed it.
 * @{
 */

/** Severity of a log message. */
typedef enum gan_log_level {
    GAN_LOG_ERROR = 0, /**< errors */
    GAN_LOG_WARN = 1,  /**< warnings */
    GAN_LOG_INFO = 2,  /**< information */
    GAN_LOG_DEBUG = 3  /**< debugging detail */
} gan_log_level;

/**
 * @brief Log callback.
 * @param level    The message's #gan_log_level.
 * @param message  The message (valid during the call).
 * @param userdata The pointer given to gan_log_set_callback().
 */
typedef void (*gan_log_fn)(int level, const char *message, void *userdata);

/**
 * @brief Install (or with fn = NULL remove) the calling thread's log callback.
 *
 * Messages above max_level are not delivered.
 * @param fn        The callback, or NULL to remove it.
 * @param userdata  Passed to every call of fn.
 * @param max_level The most verbose #gan_log_level delivered.
 * @return #GAN_OK, or #GAN_EINVAL for a max_level that is not a
 *         #gan_log_level.
 */
GAN_EXTERN int gan_log_set_callback(gan_log_fn fn, void *userdata, int max_level);

/** @} */

/* ------------------------------------------------------------------------ */
/**
 * @defgroup gan_rng_group Random numbers
 * @brief Random numbers: xoshiro256** seeded through splitmix64.
 *
 * The same seed gives the same stream on every machine (uniforms
 * bit-exactly; normals through the C library's log and sqrt, identical
 * wherever those are correctly rounded, as in glibc).
 * @{
 */

/** Opaque random number generator handle (one thread at a time). */
typedef struct gan_rng gan_rng;

/** Number of 64-bit words of a generator state (gan_rng_get_state()). */
#define GAN_RNG_STATE_WORDS 4

/**
 * @brief Create a generator seeded with seed.
 * @param[out] out  Receives the new handle; free it with gan_rng_free().
 * @param      seed Any 64-bit seed.
 * @return #GAN_OK, #GAN_EINVAL for a NULL out, #GAN_ENOMEM.
 */
GAN_EXTERN int gan_rng_create(gan_rng **out, uint64_t seed);
/**
 * @brief Free a generator.
 * @param rng The handle, or NULL (ignored).
 */
GAN_EXTERN void gan_rng_free(gan_rng *rng);
/**
 * @brief Restart the stream from a seed.
 * @param rng  The generator.
 * @param seed Any 64-bit seed.
 * @return #GAN_OK, or #GAN_EINVAL for a NULL rng.
 */
GAN_EXTERN int gan_rng_seed(gan_rng *rng, uint64_t seed);
/**
 * @brief n floats uniform in [lo, hi). Requires lo < hi, both finite.
 * @param[out] out Receives n floats.
 * @param      n   Number of values.
 * @param      rng The generator.
 * @param      lo  Lower bound (included).
 * @param      hi  Upper bound (excluded).
 * @return #GAN_OK, or #GAN_EINVAL for NULL pointers or bad bounds.
 */
GAN_EXTERN int gan_rng_uniform(float *out, size_t n, gan_rng *rng, float lo, float hi);
/**
 * @brief n floats from N(mean, stddev^2). Requires stddev >= 0, both finite.
 * @param[out] out    Receives n floats.
 * @param      n      Number of values.
 * @param      rng    The generator.
 * @param      mean   Mean.
 * @param      stddev Standard deviation.
 * @return #GAN_OK, or #GAN_EINVAL for NULL pointers or bad parameters.
 */
GAN_EXTERN int gan_rng_normal(float *out, size_t n, gan_rng *rng, float mean, float stddev);
/**
 * @brief One integer uniform in [lo, hi] (inclusive), without modulo bias.
 * @param[out] out Receives the integer.
 * @param      rng The generator.
 * @param      lo  Lower bound (included).
 * @param      hi  Upper bound (included).
 * @return #GAN_OK, or #GAN_EINVAL for NULL pointers or lo > hi.
 */
GAN_EXTERN int gan_rng_int(int64_t *out, gan_rng *rng, int64_t lo, int64_t hi);
/**
 * @brief Raw 64-bit output.
 * @param[out] out Receives the value.
 * @param      rng The generator.
 * @return #GAN_OK, or #GAN_EINVAL for NULL pointers.
 */
GAN_EXTERN int gan_rng_u64(uint64_t *out, gan_rng *rng);
/**
 * @brief Save the full generator state.
 * @param[out] out #GAN_RNG_STATE_WORDS words.
 * @param      rng The generator.
 * @return #GAN_OK, or #GAN_EINVAL for NULL pointers.
 */
GAN_EXTERN int gan_rng_get_state(uint64_t out[GAN_RNG_STATE_WORDS], const gan_rng *rng);
/**
 * @brief Restore the full generator state. An all-zero state is invalid.
 * @param rng   The generator.
 * @param state #GAN_RNG_STATE_WORDS words of gan_rng_get_state().
 * @return #GAN_OK, or #GAN_EINVAL for NULL pointers or an all-zero state.
 */
GAN_EXTERN int gan_rng_set_state(gan_rng *rng, const uint64_t state[GAN_RNG_STATE_WORDS]);

/** @} */

/* ------------------------------------------------------------------------ */
/**
 * @defgroup gan_nets Networks
 * @brief Networks: a stack of layers applied to rows of a batch.
 *
 * Parameter layout (the flat array of gan_net_get_params()): layers in order;
 * for each dense or maxout layer its weights W (in_width x out_cols,
 * row-major, so y = x W + b) followed by its biases b (out_cols). For a
 * maxout layer out_cols = units * pieces and unit j is the max of
 * pre-activations j*pieces ... j*pieces + pieces - 1. Dropout layers have
 * no parameters.
 *
 * @section gan_images Images
 * Every layer sees each example as one row. Image layers read a row as an
 * image of C channels of H x W pixels, channel-major (the NCHW order of
 * PyTorch): value (c, y, x) is at c*H*W + y*W + x. A flat width n is the
 * image n x 1 x 1; gan_net_add_reshape() declares another shape of the
 * same width, and a dense or maxout layer after an image layer takes the
 * flat row C*H*W. Kernels are square (kernel x kernel) with the same stride
 * and padding in both directions. Parameter layouts:
 * - conv2d: W[oc][ic][ky][kx] (out_channels x in_channels*kernel*kernel,
 *   PyTorch's Conv2d weight), then one bias per output channel.
 * - deconv2d: W[ic][oc][ky][kx] (in_channels x out_channels*kernel*kernel,
 *   PyTorch's ConvTranspose2d weight), then one bias per output channel.
 * - batch norm: gamma (one per channel), then beta (one per channel).
 * gan_net_layer_shape() describes a layer's shapes.
 * @{
 */

/** Opaque network handle. */
typedef struct gan_net gan_net;

/** Activation of a dense layer. */
typedef enum gan_activation {
    GAN_ACT_IDENTITY = 0,   /**< y = x */
    GAN_ACT_RELU = 1,       /**< max(0, x) */
    GAN_ACT_LEAKY_RELU = 2, /**< slope 0.2 for x < 0 unless set otherwise */
    GAN_ACT_TANH = 3,       /**< tanh(x) */
    GAN_ACT_SIGMOID = 4     /**< 1 / (1 + exp(-x)) */
} gan_activation;

/** Kind of a layer. */
typedef enum gan_layer_kind {
    GAN_LAYER_DENSE = 0,  /**< fully connected, with an activation */
    GAN_LAYER_MAXOUT = 1, /**< maxout over pieces */
    GAN_LAYER_DROPOUT = 2, /**< inverted dropout */
    GAN_LAYER_RESHAPE = 3, /**< a new image shape of the same width */
    GAN_LAYER_CONV2D = 4,  /**< 2-D convolution, with an activation */
    GAN_LAYER_DECONV2D = 5, /**< 2-D transposed convolution, with an activation */
    GAN_LAYER_CHANNEL_MAXOUT = 6, /**< per pixel max over groups of channels */
    GAN_LAYER_MAXPOOL = 7,  /**< 2-D max pooling */
    GAN_LAYER_BATCHNORM = 8, /**< batch normalisation */
    GAN_LAYER_ACTIVATION = 9 /**< an element-wise activation, no parameters */
} gan_layer_kind;

/** Weight initialisations of gan_net_init(). */
typedef enum gan_init {
    GAN_INIT_UNIFORM = 0,        /**< U(-scale, scale) */
    GAN_INIT_NORMAL = 1,         /**< N(0, scale^2) */
    GAN_INIT_GLOROT_UNIFORM = 2, /**< U(±sqrt(6/(fan_in+fan_out))), scale ignored */
    GAN_INIT_HE_NORMAL = 3       /**< N(0, 2/fan_in), scale ignored */
} gan_init;

/** Description of one layer (gan_net_layer_info()). */
typedef struct gan_layer_info {
    uint32_t kind;       /**< gan_layer_kind */
    uint32_t activation; /**< gan_activation (dense, conv2d, deconv2d,
                              activation; else identity) */
    uint64_t in_width;   /**< width of the layer's input */
    uint64_t out_width;  /**< width seen by the next layer */
    uint64_t units;      /**< dense: out_width; maxout: units */
    uint64_t pieces;     /**< maxout only, else 1 */
    float keep;          /**< dropout only, else 1 */
    float leaky_slope;   /**< leaky ReLU only */
    uint64_t param_offset; /**< index of this layer's W in the flat array */
    uint64_t num_params;   /**< W and b together */
} gan_layer_info;

/** Image shapes and geometry of one layer (gan_net_layer_shape()). */
typedef struct gan_layer_shape {
    uint64_t in_channels;  /**< input image channels (flat input: its width) */
    uint64_t in_height;    /**< input image height (flat input: 1) */
    uint64_t in_width;     /**< input image width (flat input: 1) */
    uint64_t out_channels; /**< output image channels (flat output: its width) */
    uint64_t out_height;   /**< output image height (flat output: 1) */
    uint64_t out_width;    /**< output image width (flat output: 1) */
    uint64_t kernel;       /**< conv2d, deconv2d, max pool; else 0 */
    uint64_t stride;       /**< conv2d, deconv2d, max pool; else 0 */
    uint64_t pad;          /**< conv2d, deconv2d, max pool; else 0 */
    uint64_t out_pad;      /**< deconv2d; else 0 */
    float momentum;        /**< batch norm; else 0 */
    float eps;             /**< batch norm; else 0 */
} gan_layer_shape;

/**
 * @brief Create an empty net taking rows of input_width values.
 * @param[out] out         Receives the new net; free it with gan_net_free().
 * @param      input_width Width of the input rows (> 0, below 2^32).
 * @return #GAN_OK, #GAN_EINVAL, #GAN_ENOMEM.
 */
GAN_EXTERN int gan_net_create(gan_net **out, size_t input_width);
/**
 * @brief Free a net.
 * @param net The net, or NULL (ignored).
 */
GAN_EXTERN void gan_net_free(gan_net *net);
/**
 * @name Appending layers
 * Append layers. Parameters start at zero until an init function runs. A
 * net has at most 4096 layers, and every width (input, units, units x
 * pieces) is below 2^32, the limits of the net file format.
 * @{
 */
/**
 * @brief Append a dense layer.
 * @param net        The net.
 * @param units      Output width (> 0).
 * @param activation A #gan_activation.
 * @return #GAN_OK, #GAN_EINVAL, #GAN_ENOMEM.
 */
GAN_EXTERN int gan_net_add_dense(gan_net *net, size_t units, int activation);
/**
 * @brief Append a maxout layer of units units of pieces pieces each.
 * @param net    The net.
 * @param units  Output width (> 0).
 * @param pieces Pieces per unit (> 0).
 * @return #GAN_OK, #GAN_EINVAL, #GAN_ENOMEM.
 */
GAN_EXTERN int gan_net_add_maxout(gan_net *net, size_t units, size_t pieces);
/**
 * @brief Inverted dropout: keeps a unit with probability keep (0 < keep <= 1)
 * and scales kept units by 1/keep during training; identity at inference.
 * @param net  The net.
 * @param keep Keep probability, in (0, 1].
 * @return #GAN_OK, #GAN_EINVAL, #GAN_ENOMEM.
 */
GAN_EXTERN int gan_net_add_dropout(gan_net *net, float keep);
/**
 * @brief Read the current output (width channels*height*width) as an image
 * of that shape from here on (see @ref gan_images); no parameters, no
 * computation.
 * @param net      The net.
 * @param channels Channels (> 0).
 * @param height   Height (> 0).
 * @param width    Width (> 0).
 * @return #GAN_OK, #GAN_EINVAL, #GAN_ESHAPE when the product differs from
 *         the current output width, #GAN_ENOMEM.
 */
GAN_EXTERN int gan_net_add_reshape(gan_net *net, size_t channels, size_t height, size_t width);
/**
 * @brief Append a 2-D convolution (cross-correlation, as in PyTorch) of the
 * current C x H x W image with out_channels square kernels.
 *
 * The input is zero-padded by pad pixels on each side; the output is
 * out_channels x OH x OW with OH = (H + 2 pad - kernel) / stride + 1
 * (rounded down), OW likewise; then the activation, as in a dense layer.
 * @param net          The net.
 * @param out_channels Output channels (> 0).
 * @param kernel       Kernel side (> 0, at most H + 2 pad and W + 2 pad).
 * @param stride       Stride (> 0).
 * @param pad          Zero padding on each side (< kernel).
 * @param activation   A #gan_activation.
 * @return #GAN_OK, #GAN_EINVAL, #GAN_ESHAPE when the kernel does not fit,
 *         #GAN_ENOMEM.
 */
GAN_EXTERN int gan_net_add_conv2d(gan_net *net, size_t out_channels, size_t kernel, size_t stride,
                                  size_t pad, int activation);
/**
 * @brief Append a 2-D transposed convolution ("deconvolution"): the
 * gradient of gan_net_add_conv2d() with respect to its input, plus a bias
 * and the activation.
 *
 * A C x H x W input gives out_channels x OH x OW with
 * OH = (H - 1) stride - 2 pad + kernel + out_pad, OW likewise (PyTorch's
 * ConvTranspose2d): out_pad (< stride) picks one of the output sizes that a
 * convolution of that stride maps back to H. The paper's 10 x 10 -> 32 x 32
 * is kernel 5, stride 3, pad 0: 9 * 3 + 5 = 32.
 * @param net          The net.
 * @param out_channels Output channels (> 0).
 * @param kernel       Kernel side (> 0).
 * @param stride       Stride (> 0).
 * @param pad          Rows and columns cut from each side of the output (< kernel).
 * @param out_pad      Rows and columns added at the bottom and right (< stride).
 * @param activation   A #gan_activation.
 * @return #GAN_OK, #GAN_EINVAL, #GAN_ESHAPE when the output would be empty
 *         or too large, #GAN_ENOMEM.
 */
GAN_EXTERN int gan_net_add_deconv2d(gan_net *net, size_t out_channels, size_t kernel,
                                    size_t stride, size_t pad, size_t out_pad, int activation);
/**
 * @brief Append a maxout over channels: a C x H x W input with C =
 * units * pieces gives units x H x W; output channel u at a pixel is the max
 * of input channels u*pieces ... u*pieces + pieces - 1 (consecutive
 * channels, as pylearn2's maxout convolution groups them) at that pixel.
 * No parameters.
 * @param net    The net.
 * @param pieces Channels per group (> 0, dividing the input channels).
 * @return #GAN_OK, #GAN_EINVAL, #GAN_ESHAPE when pieces does not divide
 *         the channels, #GAN_ENOMEM.
 */
GAN_EXTERN int gan_net_add_channel_maxout(gan_net *net, size_t pieces);
/**
 * @brief Append a max pooling of each channel over kernel x kernel windows.
 *
 * The output size follows pylearn2 (cuda-convnet) pooling:
 * OH = ceil((H + 2 pad - kernel) / stride) + 1, so the last window may hang
 * over the bottom edge; windows are clipped to the image and padding never
 * wins. Every window must hold at least one pixel of the image. The
 * paper's CIFAR-10 discriminator pools with kernel 4 stride 2 and kernel 2
 * stride 2, pad 0.
 * @param net    The net.
 * @param kernel Window side (> 0, at most H + 2 pad and W + 2 pad).
 * @param stride Stride (> 0).
 * @param pad    Padding on each side (< kernel).
 * @return #GAN_OK, #GAN_EINVAL, #GAN_ESHAPE when the window does not fit,
 *         #GAN_ENOMEM.
 */
GAN_EXTERN int gan_net_add_maxpool(gan_net *net, size_t kernel, size_t stride, size_t pad);
/**
 * @brief Append a batch normalisation: per channel of an image input (over
 * the rows and pixels of the batch), per feature of a flat one.
 *
 * y = gamma (x - mean) / sqrt(var + eps) + beta. Training passes use the
 * batch's mean and (biased) variance and update the running statistics:
 * running = (1 - momentum) running + momentum batch, the variance unbiased
 * (PyTorch's convention); they start at mean 0, variance 1. Inference
 * (gan_net_forward()) uses the running statistics. gamma and beta are
 * parameters (gamma starts at 1, beta at 0, also after gan_net_init());
 * the running statistics are not parameters (optimizers leave them alone)
 * but are saved with the net and in session checkpoints. The
 * discriminator steps (gan_update_d(), a session's D step) run D once on
 * the real and fake rows together but normalise each half as a batch of
 * its own, with its own statistics and its own update of the running
 * statistics (real first), as two separate passes would (PyTorch's DCGAN
 * runs D on the real and the fake batch apart): D never sees batch
 * statistics mixed from real and fake rows, which its G step (fake rows
 * alone) would not show it.
 * @param net      The net.
 * @param momentum Weight of the batch in the running statistics, in (0, 1].
 * @param eps      Added to the variance, > 0 and finite.
 * @return #GAN_OK, #GAN_EINVAL, #GAN_ENOMEM.
 */
GAN_EXTERN int gan_net_add_batchnorm(gan_net *net, float momentum, float eps);
/**
 * @brief Append an activation layer: activation applied to every value of
 * the current output (image shape kept), no parameters.
 *
 * It lets an activation follow a layer that has none, e.g. the
 * conv -> batch norm -> ReLU order of DCGAN: a conv2d with
 * #GAN_ACT_IDENTITY, gan_net_add_batchnorm(), then this layer. A
 * #GAN_ACT_LEAKY_RELU layer has slope 0.2 until gan_net_set_leaky_slope()
 * sets another. #GAN_FORWARD_LOGITS and #GAN_BACKWARD_LOGITS concern the
 * activation of a last dense, conv2d or deconv2d layer only: an activation
 * layer is always applied.
 * @param net        The net.
 * @param activation A #gan_activation.
 * @return #GAN_OK, #GAN_EINVAL, #GAN_ENOMEM.
 */
GAN_EXTERN int gan_net_add_activation(gan_net *net, int activation);
/** @} */
/**
 * @brief Negative-side slope of a #GAN_ACT_LEAKY_RELU layer: dense,
 * conv2d, deconv2d or activation (gan_net_add_activation()); 0.2 until set.
 *
 * Earlier builds gave conv2d and deconv2d layers slope 0 (a plain ReLU).
 * Their net files keep that 0; a session checkpoint of such nets loads
 * into nets whose leaky conv layers are set to 0 with this function (the
 * load otherwise refuses, naming the layer and both slopes).
 * @param net   The net.
 * @param layer Index of the layer (0-based).
 * @param slope The slope.
 * @return #GAN_OK, or #GAN_EINVAL for a bad layer or slope.
 */
GAN_EXTERN int gan_net_set_leaky_slope(gan_net *net, size_t layer, float slope);
/**
 * @brief Keep the first layers layers of net and drop the rest, with their
 * parameters and batch-norm running statistics.
 *
 * The kept layers, their parameters (a prefix of the flat array) and their
 * statistics are unchanged, so a net loaded from a file and truncated
 * computes what the first layers of the file's net computed: e.g. a
 * trained discriminator without its output layer is a feature extractor
 * for gan_net_forward(). Layers can be appended again afterwards. A
 * training forward that ran before is forgotten (as when a layer is
 * added); keeping every layer changes nothing. An optimizer bound to the
 * net refuses its next step when the parameter count changed, and a
 * session holding it its next training call when the widths no longer fit
 * or, for a session keeping an average of G, G's layers differ from the
 * average's. Not thread-safe against other calls on the net.
 * @param net    The net.
 * @param layers Layers to keep, from 1 to gan_net_num_layers().
 * @return #GAN_OK, or #GAN_EINVAL for NULL or a count out of range.
 */
GAN_EXTERN int gan_net_truncate(gan_net *net, size_t layers);

/**
 * @brief Width of the net's input rows.
 * @param net The net.
 * @return The width; 0 for NULL.
 */
GAN_EXTERN size_t gan_net_input_width(const gan_net *net);
/**
 * @brief Width of the net's output rows.
 * @param net The net.
 * @return The width; 0 for NULL.
 */
GAN_EXTERN size_t gan_net_output_width(const gan_net *net);
/**
 * @brief Number of layers.
 * @param net The net.
 * @return The count; 0 for NULL.
 */
GAN_EXTERN size_t gan_net_num_layers(const gan_net *net);
/**
 * @brief Number of parameters (length of the flat array).
 * @param net The net.
 * @return The count; 0 for NULL.
 */
GAN_EXTERN size_t gan_net_num_params(const gan_net *net);
/**
 * @brief Describe one layer.
 * @param[out] out   Receives the description.
 * @param      net   The net.
 * @param      layer Index of the layer (0-based).
 * @return #GAN_OK, or #GAN_EINVAL for NULL pointers or a layer out of range.
 */
GAN_EXTERN int gan_net_layer_info(gan_layer_info *out, const gan_net *net, size_t layer);
/**
 * @brief Describe one layer's image shapes and geometry.
 *
 * For the layers of gan_layer_info: units is the output channels and
 * pieces the channel maxout's pieces (else 1).
 * @param[out] out   Receives the shapes.
 * @param      net   The net.
 * @param      layer Index of the layer (0-based).
 * @return #GAN_OK, or #GAN_EINVAL for NULL pointers or a layer out of range.
 */
GAN_EXTERN int gan_net_layer_shape(gan_layer_shape *out, const gan_net *net, size_t layer);

/**
 * @brief Initialise the weights of every dense, maxout, conv2d and deconv2d
 * layer; biases to zero; batch norm gamma to 1 and beta to 0, and its
 * running statistics to mean 0, variance 1 (as a new layer's).
 *
 * Fans of #GAN_INIT_GLOROT_UNIFORM and #GAN_INIT_HE_NORMAL: dense and maxout
 * in_width and out_cols; conv2d and deconv2d in_channels * kernel^2 and
 * out_channels * kernel^2.
 * @param net   The net.
 * @param rng   Source of the random draws.
 * @param init  A #gan_init.
 * @param scale Scale of #GAN_INIT_UNIFORM and #GAN_INIT_NORMAL.
 * @return #GAN_OK, or #GAN_EINVAL for NULL pointers, an unknown init or a
 *         bad scale.
 */
GAN_EXTERN int gan_net_init(gan_net *net, gan_rng *rng, int init, float scale);
/**
 * @brief Same as gan_net_init() for one layer (which must have parameters).
 * @param net   The net.
 * @param layer Index of the layer (0-based).
 * @param rng   Source of the random draws.
 * @param init  A #gan_init.
 * @param scale Scale of #GAN_INIT_UNIFORM and #GAN_INIT_NORMAL.
 * @return #GAN_OK, or #GAN_EINVAL.
 */
GAN_EXTERN int gan_net_init_layer(gan_net *net, size_t layer, gan_rng *rng, int init, float scale);
/**
 * @brief Set a layer's biases: n = out_cols of a dense or maxout layer, the
 * output channels of a conv2d or deconv2d layer, the channels of a batch
 * norm layer (its beta). Copied.
 * @param net   The net.
 * @param layer Index of the layer (0-based).
 * @param bias  n values, copied.
 * @param n     The layer's out_cols.
 * @return #GAN_OK, #GAN_EINVAL, or #GAN_ESHAPE for a wrong n.
 */
GAN_EXTERN int gan_net_set_bias(gan_net *net, size_t layer, const float *bias, size_t n);
/**
 * @brief Set the last layer's biases to logit(mean[j]) with mean clipped to
 * [1e-7, 1 - 1e-7].
 *
 * The last layer must be dense with sigmoid activation and n its width.
 * This is the paper's generator output initialisation.
 * @param net  The net.
 * @param mean n values (e.g. gan_dataset_column_mean()).
 * @param n    The last layer's width.
 * @return #GAN_OK, #GAN_EINVAL, #GAN_ESHAPE for a wrong n, #GAN_ESTATE for a
 *         net without layers.
 */
GAN_EXTERN int gan_net_init_output_bias_from_mean(gan_net *net, const float *mean, size_t n);

/**
 * @brief Copy the flat parameter array out.
 * @param[out] out Receives n floats.
 * @param      n   Must equal gan_net_num_params().
 * @param      net The net.
 * @return #GAN_OK, #GAN_EINVAL, or #GAN_ESHAPE for a wrong n.
 */
GAN_EXTERN int gan_net_get_params(float *out, size_t n, const gan_net *net);
/**
 * @brief Copy a flat parameter array in.
 * @param net    The net.
 * @param params n floats, copied.
 * @param n      Must equal gan_net_num_params().
 * @return #GAN_OK, #GAN_EINVAL, or #GAN_ESHAPE for a wrong n.
 */
GAN_EXTERN int gan_net_set_params(gan_net *net, const float *params, size_t n);
/**
 * @brief Gradients of the last gan_net_backward(), same layout as the parameters.
 * @param[out] out Receives n floats.
 * @param      n   Must equal gan_net_num_params().
 * @param      net The net.
 * @return #GAN_OK, #GAN_EINVAL, or #GAN_ESHAPE for a wrong n.
 */
GAN_EXTERN int gan_net_get_grads(float *out, size_t n, const gan_net *net);

/* Flags of gan_net_forward. */
/** @name Flags of gan_net_forward() and gan_net_train_output()
 * @{ */
#define GAN_FORWARD_LOGITS 1u /**< skip the last layer's own activation (a
                                 dense, conv2d or deconv2d layer's; a last
                                 activation layer is always applied) */
/** @} */

/**
 * @brief Inference: out (rows x out_cols) = net(x (rows x cols)); no dropout.
 *
 * cols must equal the input width and out_cols the output width.
 * Thread-safe on a shared net: allocates its own scratch per call.
 * @param[out] out      rows x out_cols floats.
 * @param      out_cols The net's output width.
 * @param      net      The net (only read).
 * @param      x        rows x cols input rows.
 * @param      rows     Number of rows.
 * @param      cols     The net's input width.
 * @param      flags    0 or #GAN_FORWARD_LOGITS.
 * @return #GAN_OK, #GAN_EINVAL, #GAN_ESHAPE, #GAN_ESTATE (a net without
 *         layers), #GAN_ENOMEM.
 */
GAN_EXTERN int gan_net_forward(float *out, size_t out_cols, const gan_net *net,
                               const float *x, size_t rows, size_t cols, unsigned flags);

/**
 * @brief Training forward: keeps every layer's activations for gan_net_backward().
 *
 * Dropout draws fresh masks from rng (rng may be NULL only if the net has
 * no dropout layer). Workspaces grow to the largest batch seen and are
 * reused, so a steady batch size allocates nothing after the first call.
 * @param net  The net (its workspaces change).
 * @param rng  Source of the dropout masks, or NULL without dropout layers.
 * @param x    rows x cols input rows.
 * @param rows Number of rows.
 * @param cols The net's input width.
 * @return #GAN_OK, #GAN_EINVAL, #GAN_ESHAPE, #GAN_ESTATE (a net without
 *         layers), #GAN_ENOMEM.
 */
GAN_EXTERN int gan_net_train_forward(gan_net *net, gan_rng *rng,
                                     const float *x, size_t rows, size_t cols);
/**
 * @brief Output (or, with #GAN_FORWARD_LOGITS, the last layer's
 * pre-activation) of the last training forward; valid until the next
 * training call.
 * @param[out] out   Receives a pointer into the net's storage (borrowed).
 * @param[out] rows  Receives the number of rows.
 * @param[out] cols  Receives the output width.
 * @param      net   The net.
 * @param      flags 0 or #GAN_FORWARD_LOGITS.
 * @return #GAN_OK, #GAN_EINVAL, or #GAN_ESTATE before any training forward
 *         (or after a layer was added since).
 */
GAN_EXTERN int gan_net_train_output(const float **out, size_t *rows, size_t *cols,
                                    const gan_net *net, unsigned flags);

/* Flags of gan_net_backward. */
/** @name Flags of gan_net_backward()
 * @{ */
#define GAN_BACKWARD_LOGITS 1u     /**< dy is the gradient w.r.t. the last
                                      layer's pre-activation (logits; as
                                      for #GAN_FORWARD_LOGITS) */
#define GAN_BACKWARD_ACCUMULATE 2u /**< add to the parameter gradients */
#define GAN_BACKWARD_NO_PARAMS 4u  /**< input gradient only; parameter
                                      gradients are left untouched */
/** @} */

/**
 * @brief Backward through the last training forward.
 *
 * dy is rows x out_width; dx (rows x in_width) receives the input gradient
 * and may be NULL.
 * @param[out] dx    rows x in_width input gradient, or NULL.
 * @param      net   The net.
 * @param      dy    rows x cols gradient of the output.
 * @param      rows  Rows of the last training forward.
 * @param      cols  The net's output width.
 * @param      flags #GAN_BACKWARD_LOGITS, #GAN_BACKWARD_ACCUMULATE,
 *                   #GAN_BACKWARD_NO_PARAMS, or-ed.
 * @return #GAN_OK, #GAN_EINVAL, #GAN_ESHAPE, or #GAN_ESTATE without a
 *         training forward (or after a layer was added since).
 */
GAN_EXTERN int gan_net_backward(float *dx, gan_net *net, const float *dy,
                                size_t rows, size_t cols, unsigned flags);

/**
 * @name Saving and loading nets
 * Save / load a net (architecture and parameters): versioned little-endian
 * binary with a checksum, written to a temporary file and renamed over
 * path so a crash never leaves a half-written file. Every save of libgan
 * (nets, checkpoints, PNG grids) works this way: the temporary file is
 * ".<name>.gan-tmp.XXXXXX" beside the destination, and the next successful
 * save of that destination removes those a killed save left behind. A path
 * that exists but is not a regular file (a FIFO, a device, a folder) is
 * refused with #GAN_EIO and left alone; an empty path is #GAN_EINVAL. A file
 * whose parameters hold NaN or Inf is refused on load (#GAN_EFORMAT naming
 * the layer); so is a session checkpoint (gan_session_load()).
 * @{
 */
/**
 * @brief Save a net atomically (see above).
 * @param net  The net.
 * @param path Destination file.
 * @return #GAN_OK, #GAN_EINVAL, #GAN_EIO.
 */
GAN_EXTERN int gan_net_save(const gan_net *net, const char *path);
/**
 * @brief Load a net saved by gan_net_save().
 * @param[out] out  Receives the new net; free it with gan_net_free().
 * @param      path The file.
 * @return #GAN_OK, #GAN_EINVAL, #GAN_EIO, #GAN_EFORMAT, #GAN_ENOMEM.
 */
GAN_EXTERN int gan_net_load(gan_net **out, const char *path);
/** @} */

/** @} */

/* ------------------------------------------------------------------------ */
/**
 * @defgroup gan_optimizers Optimizers
 * @brief Optimizers: bound to one net; a step reads the net's gradients and
 * updates its parameters.
 * @{
 */

/** Opaque optimizer handle. */
typedef struct gan_optimizer gan_optimizer;

/** Optimizer algorithms. */
typedef enum gan_optimizer_kind {
    GAN_OPT_SGD = 0, /**< classic momentum: v = mu v - lr g; theta += v */
    GAN_OPT_ADAM = 1 /**< Adam */
} gan_optimizer_kind;

/** Options of gan_optimizer_create(). */
typedef struct gan_optimizer_options {
    unsigned int version;      /**< #GAN_OPTIMIZER_OPTIONS_VERSION */
    uint32_t kind;             /**< gan_optimizer_kind */
    float learning_rate;       /**< > 0 */
    float lr_decay;            /**< lr /= lr_decay after every step; >= 1 */
    float lr_min;              /**< floor of the decayed lr; >= 0 */
    float momentum;            /**< SGD: momentum at momentum_start_epoch, in (-1, 1);
                                    negative values (Gidel et al. 2019) damp
                                    the oscillation of alternating updates */
    float momentum_final;      /**< SGD: momentum from momentum_saturate_epoch on, (-1, 1) */
    uint32_t momentum_start_epoch;    /**< 1-based epochs of the linear ramp */
    uint32_t momentum_saturate_epoch; /**< >= momentum_start_epoch */
    float beta1;               /**< Adam, [0,1) */
    float beta2;               /**< Adam, [0,1) */
    float epsilon;             /**< Adam, > 0 */
    float max_norm;            /**< > 0: cap each unit's incoming weight norm; 0 off */
} gan_optimizer_options;

/** Current version of #gan_optimizer_options. */
#define GAN_OPTIMIZER_OPTIONS_VERSION 1
/** Initialiser of #gan_optimizer_options with the defaults. */
#define GAN_OPTIMIZER_OPTIONS_INIT \
    { GAN_OPTIMIZER_OPTIONS_VERSION, GAN_OPT_SGD, 0.1f, 1.0f, 0.0f, 0.5f, 0.5f, \
      1, 1, 0.9f, 0.999f, 1e-8f, 0.0f }

/**
 * @brief Fill opts with the defaults of #GAN_OPTIMIZER_OPTIONS_INIT.
 * @param[out] opts    The options.
 * @param      version #GAN_OPTIMIZER_OPTIONS_VERSION.
 * @return #GAN_OK, #GAN_EINVAL, #GAN_EUNSUPPORTED for an unknown version.
 */
GAN_EXTERN int gan_optimizer_options_init(gan_optimizer_options *opts, unsigned int version);
/**
 * @brief Create an optimizer bound to net.
 *
 * The net must outlive the optimizer. Options are copied.
 * @param[out] out  Receives the new optimizer; free it with gan_optimizer_free().
 * @param      net  The net it updates (borrowed).
 * @param      opts The options (copied).
 * @return #GAN_OK, #GAN_EINVAL, #GAN_ESTATE (a net without parameters),
 *         #GAN_EUNSUPPORTED, #GAN_ENOMEM.
 */
GAN_EXTERN int gan_optimizer_create(gan_optimizer **out, gan_net *net,
                                    const gan_optimizer_options *opts);
/**
 * @brief Free an optimizer (not its net).
 * @param opt The optimizer, or NULL (ignored).
 */
GAN_EXTERN void gan_optimizer_free(gan_optimizer *opt);
/**
 * @brief One update of the bound net from its current gradients.
 * @param opt The optimizer.
 * @return #GAN_OK, #GAN_EINVAL, #GAN_ESTATE (a layer was added to the net
 *         after the optimizer was made), or #GAN_EDIVERGED if a gradient
 *         or an updated parameter is NaN or Inf (the check is fused into the
 *         update loop; the update is still applied, and a session then
 *         restores its last good state).
 */
GAN_EXTERN int gan_optimizer_step(gan_optimizer *opt);
/**
 * @brief Tell the momentum schedule the current (1-based) epoch.
 * @param opt   The optimizer.
 * @param epoch The epoch (>= 1).
 * @return #GAN_OK, or #GAN_EINVAL.
 */
GAN_EXTERN int gan_optimizer_set_epoch(gan_optimizer *opt, uint64_t epoch);
/**
 * @brief Current learning rate.
 * @param opt The optimizer.
 * @return The rate; 0 for NULL.
 */
GAN_EXTERN float gan_optimizer_learning_rate(const gan_optimizer *opt);
/**
 * @brief Current momentum (SGD) or beta1 (Adam).
 * @param opt The optimizer.
 * @return The momentum; 0 for NULL.
 */
GAN_EXTERN float gan_optimizer_momentum(const gan_optimizer *opt);
/**
 * @brief Number of steps taken.
 * @param opt The optimizer.
 * @return The count; 0 for NULL.
 */
GAN_EXTERN uint64_t gan_optimizer_steps(const gan_optimizer *opt);
/**
 * @name Optimizer state
 * Opaque, versioned, little-endian snapshot of the optimizer's state
 * (velocities or moments, step count, learning rate, epoch). set_state
 * rejects a blob for another kind or size, a damaged one, and one holding
 * NaN or Inf (#GAN_EFORMAT / #GAN_ESHAPE), leaving opt unchanged.
 * @{
 */
/**
 * @brief Size in bytes of the state snapshot.
 * @param opt The optimizer.
 * @return The size; 0 for NULL.
 */
GAN_EXTERN size_t gan_optimizer_state_size(const gan_optimizer *opt);
/**
 * @brief Write the state snapshot into buf.
 * @param[out] buf  size bytes.
 * @param      size At least gan_optimizer_state_size().
 * @param      opt  The optimizer.
 * @return #GAN_OK, or #GAN_EINVAL (NULL pointers, a buffer too small).
 */
GAN_EXTERN int gan_optimizer_get_state(void *buf, size_t size, const gan_optimizer *opt);
/**
 * @brief Restore a state snapshot of gan_optimizer_get_state().
 * @param opt  The optimizer (unchanged on error).
 * @param buf  The snapshot.
 * @param size Its size in bytes.
 * @return #GAN_OK, #GAN_EINVAL, #GAN_EFORMAT, #GAN_ESHAPE.
 */
GAN_EXTERN int gan_optimizer_set_state(gan_optimizer *opt, const void *buf, size_t size);
/** @} */

/** @} */

/* ------------------------------------------------------------------------ */
/**
 * @defgroup gan_datasets Datasets
 * @brief Datasets: rows x cols float32 in memory, optional int32 labels.
 * @{
 */

/** Opaque dataset handle. */
typedef struct gan_dataset gan_dataset;

/**
 * @brief A dataset holding a copy of x. Copies x.
 * @param[out] out  Receives the new dataset; free it with gan_dataset_free().
 * @param      x    rows x cols floats (copied).
 * @param      rows Number of rows (> 0).
 * @param      cols Number of columns (> 0).
 * @return #GAN_OK, #GAN_EINVAL, #GAN_ENOMEM.
 */
GAN_EXTERN int gan_dataset_create(gan_dataset **out, const float *x, size_t rows, size_t cols);
/**
 * @brief Load IDX images (idx3, unsigned bytes, scaled by 1/255 to [0,1],
 * one row per image) and optionally labels (idx1, labels_path may be NULL).
 *
 * Plain files or gzip-compressed ones (detected from the content).
 * @param[out] out         Receives the new dataset.
 * @param      images_path The idx3 images file.
 * @param      labels_path The idx1 labels file, or NULL.
 * @return #GAN_OK, #GAN_EINVAL, #GAN_EIO, #GAN_EFORMAT, #GAN_ESHAPE (label
 *         and image counts differ), #GAN_ENOMEM.
 */
GAN_EXTERN int gan_dataset_load_idx(gan_dataset **out, const char *images_path,
                                    const char *labels_path);
/**
 * @brief Rows [begin, begin + count) of src, sharing its storage (no copy).
 *
 * The subset stays valid after src is freed.
 * @param[out] out   Receives the new dataset.
 * @param      src   The dataset.
 * @param      begin First row.
 * @param      count Number of rows (> 0, within src).
 * @return #GAN_OK, #GAN_EINVAL, #GAN_ENOMEM.
 */
GAN_EXTERN int gan_dataset_subset(gan_dataset **out, const gan_dataset *src,
                                  size_t begin, size_t count);
/**
 * @brief Free a dataset (the storage it shares lives on in its subsets).
 * @param ds The dataset, or NULL (ignored).
 */
GAN_EXTERN void gan_dataset_free(gan_dataset *ds);

/**
 * @brief Number of rows.
 * @param ds The dataset.
 * @return The count; 0 for NULL.
 */
GAN_EXTERN size_t gan_dataset_rows(const gan_dataset *ds);
/**
 * @brief Number of columns.
 * @param ds The dataset.
 * @return The count; 0 for NULL.
 */
GAN_EXTERN size_t gan_dataset_cols(const gan_dataset *ds);
/**
 * @brief Read-only view of the rows (rows x cols); valid while ds lives.
 * @param ds The dataset.
 * @return The rows (borrowed); NULL for NULL.
 */
GAN_EXTERN const float *gan_dataset_data(const gan_dataset *ds);
/**
 * @brief Read-only labels (rows), or NULL when the dataset has none.
 * @param ds The dataset.
 * @return The labels (borrowed, valid while ds lives) or NULL.
 */
GAN_EXTERN const int32_t *gan_dataset_labels(const gan_dataset *ds);
/**
 * @brief out (cols) = mean of every column.
 * @param[out] out  cols floats.
 * @param      cols The dataset's column count.
 * @param      ds   The dataset.
 * @return #GAN_OK, #GAN_EINVAL, or #GAN_ESHAPE for a wrong cols.
 */
GAN_EXTERN int gan_dataset_column_mean(float *out, size_t cols, const gan_dataset *ds);

/**
 * @brief Shuffled minibatches.
 *
 * Each epoch is a fresh permutation drawn from rng; every row is returned
 * exactly once per epoch. The last batch of an epoch holds the remaining
 * rows and may be smaller than batch (*rows_out tells); the call after it
 * starts the next epoch. out holds batch x cols floats; labels_out (batch)
 * may be NULL.
 * @param[out] out        batch x cols floats.
 * @param[out] labels_out batch labels, or NULL.
 * @param[out] rows_out   Receives the number of rows written.
 * @param      ds         The dataset (its position changes).
 * @param      rng        Source of the permutations.
 * @param      batch      Batch size (> 0).
 * @return #GAN_OK, #GAN_EINVAL, #GAN_ENOMEM.
 */
GAN_EXTERN int gan_dataset_next_batch(float *out, int32_t *labels_out, size_t *rows_out,
                                      gan_dataset *ds, gan_rng *rng, size_t batch);
/**
 * @brief Completed epochs of gan_dataset_next_batch() (0 before the first ends).
 * @param ds The dataset.
 * @return The count; 0 for NULL.
 */
GAN_EXTERN uint64_t gan_dataset_epoch(const gan_dataset *ds);
/**
 * @brief Forget the iteration position and epoch count.
 * @param ds The dataset.
 * @return #GAN_OK, or #GAN_EINVAL for NULL.
 */
GAN_EXTERN int gan_dataset_rewind(gan_dataset *ds);

/** @} */

/* ------------------------------------------------------------------------ */
/**
 * @defgroup gan_loaders Loading your own data
 * @brief Loading your own data: a folder of PNG images, an NPY file (numpy's
 * format), a CSV file of numbers or CIFAR-10's binary files, each into a
 * new dataset; value ranges and global contrast normalisation.
 *
 * Every loader reads regular files only (a FIFO, a device or a folder
 * where a file is expected is #GAN_EIO), bounds every size it reads by the
 * file's length before allocating, and refuses anything it cannot read
 * exactly: #GAN_EFORMAT with a message naming the file and what is wrong
 * (and for CSV the line and column), #GAN_EIO when a file cannot be opened
 * or read, #GAN_ENOMEM when memory runs out, #GAN_EINVAL for a NULL or
 * empty path, #GAN_EUNSUPPORTED for an unknown options version. Values
 * must be finite. On any error *out is NULL.
 * @{
 */

/** Value ranges of image data. */
typedef enum gan_range {
    GAN_RANGE_UNIT = 0,     /**< [0, 1]: what the loaders return */
    GAN_RANGE_SYMMETRIC = 1 /**< [-1, 1]: for a generator ending in tanh */
} gan_range;

/** Alpha channels of PNG images. */
typedef enum gan_png_alpha {
    GAN_PNG_ALPHA_DROP = 0, /**< discard alpha; colour values kept as stored
                               (not blended with a background) */
    GAN_PNG_ALPHA_KEEP = 1  /**< keep alpha as the last channel */
} gan_png_alpha;

/** Options of gan_dataset_load_png_dir(). */
typedef struct gan_png_dir_options {
    unsigned int version; /**< #GAN_PNG_DIR_OPTIONS_VERSION */
    uint32_t alpha;      /**< gan_png_alpha */
    uint32_t labels;     /**< nonzero: one subfolder per class, see
                              gan_dataset_load_png_dir() */
    uint32_t max_files;  /**< refuse folders holding more images; 0 = 2^24 */
} gan_png_dir_options;

/** Current version of #gan_png_dir_options. */
#define GAN_PNG_DIR_OPTIONS_VERSION 1
/** Initialiser of #gan_png_dir_options with the defaults. */
#define GAN_PNG_DIR_OPTIONS_INIT \
    { GAN_PNG_DIR_OPTIONS_VERSION, GAN_PNG_ALPHA_DROP, 0, 0 }

/**
 * @brief Fill opts with the defaults of #GAN_PNG_DIR_OPTIONS_INIT.
 * @param[out] opts    The options.
 * @param      version #GAN_PNG_DIR_OPTIONS_VERSION.
 * @return #GAN_OK, #GAN_EINVAL, #GAN_EUNSUPPORTED for an unknown version.
 */
GAN_EXTERN int gan_png_dir_options_init(gan_png_dir_options *opts, unsigned int version);
/**
 * @brief Load every "*.png" file (name ending in .png, any case; names
 * starting with '.' and other files are skipped) of the folder path, one
 * row per image, in byte order of the file names (strcmp), so the row
 * order never depends on the file system.
 *
 * - Decoded with libpng: grey, grey + alpha, RGB, RGBA and palette images,
 *   1 to 16 bits per sample. Palettes become RGB (RGBA with a transparency
 *   chunk), grey below 8 bits is expanded. Values are scaled to [0, 1]
 *   (by 1/255, or 1/65535 for 16-bit files); no gamma correction.
 * - Channels: grey 1, grey + alpha 2, RGB 3, RGBA 4 with
 *   #GAN_PNG_ALPHA_KEEP; with #GAN_PNG_ALPHA_DROP (the default) 1 or 3.
 * - Row layout: height x width x channels (HWC, as PNG stores pixels), so
 *   cols = h * w * c, the layout gan_png_write_grid_rgb() draws.
 * - Every image must have the first image's height, width and channels
 *   (bit depth may differ): #GAN_ESHAPE names the first file that differs.
 * - opts may be NULL (the defaults). With opts->labels, path holds one
 *   subfolder per class and the images are inside them; classes are the
 *   subfolder names in byte order, labelled 0, 1, ... (empty subfolders
 *   count as classes with no images, hidden ones are skipped); a PNG file
 *   directly in path is then #GAN_EFORMAT. The names are not kept: list the
 *   subfolders in byte order to map labels back to them. Without labels,
 *   subfolders are skipped. An entry named like an image that is not a
 *   regular file (a folder, a FIFO) is #GAN_EIO.
 * - A folder without images is #GAN_EFORMAT. Each file may be at most
 *   256 MiB, each image at most 2^24 pixels a side.
 *
 * @param[out] out  Receives the new dataset (NULL on any error).
 * @param      path The folder.
 * @param      opts The options, or NULL for the defaults.
 * @return #GAN_OK, #GAN_EINVAL, #GAN_EIO, #GAN_EFORMAT, #GAN_ESHAPE,
 *         #GAN_EUNSUPPORTED, #GAN_ENOMEM (see the group's description).
 */
GAN_EXTERN int gan_dataset_load_png_dir(gan_dataset **out, const char *path,
                                        const gan_png_dir_options *opts);

/**
 * @brief Load an NPY file (format versions 1.0, 2.0 and 3.0) holding a
 * C-order array of dtype float32 ('<f4', '>f4'), float64 ('<f8', '>f8',
 * converted to the nearest float32; values beyond float32's range are
 * #GAN_EFORMAT) or uint8 ('|u1', scaled by 1/255 to [0, 1] like the image
 * loaders).
 *
 * rows = the first dimension, cols = the product of the others (1 for a
 * 1-D array). Fortran-order arrays, object and structured arrays, other
 * dtypes, 0-d arrays, zero-sized dimensions, headers longer than 64 KiB,
 * data that is truncated or followed by extra bytes, and NaN or Inf values
 * are refused (#GAN_EFORMAT naming the reason).
 * @param[out] out  Receives the new dataset (NULL on any error).
 * @param      path The NPY file.
 * @return #GAN_OK, #GAN_EINVAL, #GAN_EIO, #GAN_EFORMAT, #GAN_ENOMEM.
 */
GAN_EXTERN int gan_dataset_load_npy(gan_dataset **out, const char *path);

/** Options of gan_dataset_load_csv(). */
typedef struct gan_csv_options {
    unsigned int version;  /**< #GAN_CSV_OPTIONS_VERSION */
    uint32_t header;       /**< nonzero: the first line is a header, skipped */
    int32_t label_column;  /**< 0-based column holding integer labels (stored
                              as the dataset's labels, not as a value);
                              -1: none */
    uint32_t delimiter;    /**< the separator: ',' ';' '\\t' '|' or ':' */
} gan_csv_options;

/** Current version of #gan_csv_options. */
#define GAN_CSV_OPTIONS_VERSION 1
/** Initialiser of #gan_csv_options with the defaults. */
#define GAN_CSV_OPTIONS_INIT { GAN_CSV_OPTIONS_VERSION, 0, -1, ',' }

/**
 * @brief Fill opts with the defaults of #GAN_CSV_OPTIONS_INIT.
 * @param[out] opts    The options.
 * @param      version #GAN_CSV_OPTIONS_VERSION.
 * @return #GAN_OK, #GAN_EINVAL, #GAN_EUNSUPPORTED for an unknown version.
 */
GAN_EXTERN int gan_csv_options_init(gan_csv_options *opts, unsigned int version);
/**
 * @brief Load a CSV file of numbers: one row per line, every line with the
 * same number of cells. opts may be NULL (no header, no label column, comma).
 *
 * - A cell is a number strtof reads in full ("1", "-2.5e-3", "0x1p4"),
 *   with spaces or tabs around it allowed, parsed in the C locale whatever
 *   the program's locale; an empty cell, quotes, any other text, NaN, Inf
 *   and values beyond float32's range are #GAN_EFORMAT naming the line and
 *   the column (both 1-based, counted in the file).
 * - Label cells must be integers in int32's range.
 * - Lines end in "\n" or "\r\n"; blank lines are skipped; a NUL byte
 *   anywhere is #GAN_EFORMAT. Cells are at most 255 characters, files at
 *   most 4 GiB. A file with no data line is #GAN_EFORMAT.
 *
 * @param[out] out  Receives the new dataset (NULL on any error).
 * @param      path The CSV file.
 * @param      opts The options, or NULL.
 * @return #GAN_OK, #GAN_EINVAL, #GAN_EIO, #GAN_EFORMAT, #GAN_EUNSUPPORTED,
 *         #GAN_ENOMEM.
 */
GAN_EXTERN int gan_dataset_load_csv(gan_dataset **out, const char *path,
                                    const gan_csv_options *opts);

/**
 * @brief Load CIFAR-10 binary files (the "binary version",
 * cifar-10-binary.tar.gz, unpacked: data_batch_1.bin ... data_batch_5.bin,
 * test_batch.bin), concatenated in the order given, with their labels.
 *
 * - Each file is a sequence of 3073-byte records: one label byte (0 to 9),
 *   then 3072 pixel bytes, the 1024 red values, then the 1024 green, then
 *   the 1024 blue, each plane the 32 x 32 image row by row. The official
 *   files hold 10000 records each; any whole number of records (at least
 *   one) is accepted.
 * - Rows are 3072 values scaled by 1/255 to [0, 1], channel-major (C x H x
 *   W: the red plane, the green plane, the blue plane), the layout the file
 *   stores, the convolutional layers take and gan_png_write_grid_chw()
 *   draws. Labels are the label bytes.
 * - Refused with #GAN_EFORMAT naming the file: an empty file, a length that
 *   is not a whole number of records (the message gives the byte count and
 *   recognises CIFAR-100's 3074-byte records, a gzip file and the Python
 *   version's pickles), a label above 9 (the message gives the record,
 *   0-based, and the value).
 * - All files are checked before the rows are allocated; the data of every
 *   file is read in one piece (at most 2^31 bytes a file).
 *
 * Example: the training set
 * @code
 * const char *train[] = {"cifar-10-batches-bin/data_batch_1.bin", ...,
 *                        "cifar-10-batches-bin/data_batch_5.bin"};
 * gan_dataset *ds;
 * int rc = gan_dataset_load_cifar10(&ds, train, 5);
 * @endcode
 * @param[out] out     Receives the new dataset (NULL on any error).
 * @param      paths   n_paths file paths (none NULL or empty).
 * @param      n_paths Number of files (> 0).
 * @return #GAN_OK, #GAN_EINVAL, #GAN_EIO, #GAN_EFORMAT, #GAN_ENOMEM.
 */
GAN_EXTERN int gan_dataset_load_cifar10(gan_dataset **out, const char *const *paths,
                                        size_t n_paths);

/**
 * @brief Map n values in place from one range to the other (#gan_range).
 *
 * [0, 1] to [-1, 1] is x -> 2x - 1, the reverse (x + 1) / 2; the same
 * range leaves x unchanged. Values outside the source range are mapped by
 * the same formula, not clamped.
 * @param x    n values, changed in place.
 * @param n    Number of values.
 * @param from Source #gan_range.
 * @param to   Destination #gan_range.
 * @return #GAN_OK, or #GAN_EINVAL for NULL x or an unknown range.
 */
GAN_EXTERN int gan_scale(float *x, size_t n, int from, int to);
/**
 * @brief A new dataset holding src's rows (and labels) mapped as gan_scale()
 * does.
 *
 * src is unchanged (datasets share storage with their subsets, so they are
 * never scaled in place).
 * @param[out] out  Receives the new dataset.
 * @param      src  The dataset.
 * @param      from Source #gan_range.
 * @param      to   Destination #gan_range.
 * @return #GAN_OK, #GAN_EINVAL, #GAN_ENOMEM.
 */
GAN_EXTERN int gan_dataset_scale(gan_dataset **out, const gan_dataset *src, int from, int to);
/**
 * @brief A new dataset whose rows are src's rows followed by the one-hot
 * code of their label: [x | onehot(label)], cols + classes wide, labels
 * kept. The data of a conditional GAN on labels
 * (gan_session_options::cond_width = classes).
 * @param[out] out     Receives the new dataset.
 * @param      src     A dataset with labels, all in [0, classes).
 * @param      classes Number of classes (> 0).
 * @return #GAN_OK, #GAN_EINVAL (no labels, a label out of range, named),
 *         #GAN_ENOMEM.
 */
GAN_EXTERN int gan_dataset_append_onehot(gan_dataset **out, const gan_dataset *src,
                                         uint32_t classes);
/**
 * @brief A new dataset whose rows are src's rows x followed by x masked,
 * [x | x * mask] (2 x cols wide, labels kept): a conditional GAN on it
 * (gan_session_options::cond_width = cols) learns p(x | the visible part),
 * the paper's §7.3 conditionals, e.g. inpainting with mask 1 on the visible
 * half. Masked-out entries of the condition are 0.
 * @param[out] out  Receives the new dataset.
 * @param      src  The dataset.
 * @param      mask cols values, each 0 (hidden) or 1 (visible).
 * @param      cols src's width.
 * @return #GAN_OK, #GAN_EINVAL (a mask value other than 0 or 1, named),
 *         #GAN_ESHAPE (cols is not src's width), #GAN_ENOMEM.
 */
GAN_EXTERN int gan_dataset_append_masked(gan_dataset **out, const gan_dataset *src,
                                         const float *mask, size_t cols);

/** Options of gan_gcn() and gan_dataset_gcn(); the defaults are those of
 * pylearn2's global_contrast_normalize (the paper's CIFAR-10 model used
 * scale 55 with the other defaults). */
typedef struct gan_gcn_options {
    unsigned int version;   /**< #GAN_GCN_OPTIONS_VERSION */
    float scale;            /**< s: every row ends with norm (or standard
                                 deviation) s; finite, > 0; default 1 */
    uint32_t subtract_mean; /**< nonzero (default): subtract each row's mean
                                 first */
    uint32_t use_std;       /**< nonzero: divide by the row's standard
                                 deviation (n - 1 in the denominator) instead
                                 of its Euclidean norm; default 0 */
    float sqrt_bias;        /**< b, added under the square root; finite,
                                 >= 0; default 0 */
    float min_divisor;      /**< rows whose divisor is below this are not
                                 divided; finite, >= 0; default 1e-8 */
} gan_gcn_options;

/** Current version of #gan_gcn_options. */
#define GAN_GCN_OPTIONS_VERSION 1
/** Initialiser of #gan_gcn_options with the defaults. */
#define GAN_GCN_OPTIONS_INIT { GAN_GCN_OPTIONS_VERSION, 1.0f, 1, 0, 0.0f, 1e-8f }

/**
 * @brief Fill opts with the defaults of #GAN_GCN_OPTIONS_INIT.
 * @param[out] opts    The options.
 * @param      version #GAN_GCN_OPTIONS_VERSION.
 * @return #GAN_OK, #GAN_EINVAL, #GAN_EUNSUPPORTED for an unknown version.
 */
GAN_EXTERN int gan_gcn_options_init(gan_gcn_options *opts, unsigned int version);
/**
 * @brief Global contrast normalisation of rows x cols values, in place, row
 * by row, as pylearn2's global_contrast_normalize computes it.
 *
 * For each row x of n = cols values: m = mean(x) if subtract_mean, else 0;
 * y = x - m; d = sqrt(b + sum(y^2)) / s, or with use_std
 * d = sqrt(b + sum(y^2) / (n - 1)) / s; if d < min_divisor (or d is 0),
 * d = 1; the row
 * becomes y / d. With the defaults and s = 55 (the paper's CIFAR-10 model)
 * every row that is not constant ends with mean 0 and Euclidean norm 55; a
 * constant row becomes 0. The result does not depend on the input's range
 * (pixels in [0, 1] or in [0, 255] give the same rows, apart from rows
 * whose divisor is near min_divisor), and it is no longer in [0, 1]: a
 * generator for it ends in an identity (linear) layer.
 *
 * Sums are taken in double precision. All or nothing: x is unchanged on
 * any error.
 * @param x    rows x cols values, changed in place; every value finite.
 * @param rows Number of rows.
 * @param cols Number of values a row (> 0; >= 2 with use_std).
 * @param opts The options, or NULL for the defaults.
 * @return #GAN_OK, #GAN_EINVAL (NULL x, bad options, a value that is not
 *         finite, naming its row and column, or a result beyond float range),
 *         #GAN_EUNSUPPORTED (unknown options version), #GAN_ENOMEM.
 */
GAN_EXTERN int gan_gcn(float *x, size_t rows, size_t cols, const gan_gcn_options *opts);
/**
 * @brief A new dataset holding src's rows after gan_gcn() (and its labels).
 *
 * src is unchanged (datasets share storage with their subsets, so they are
 * never changed in place).
 * @param[out] out  Receives the new dataset (NULL on any error).
 * @param      src  The dataset.
 * @param      opts The options, or NULL for the defaults.
 * @return #GAN_OK, #GAN_EINVAL, #GAN_EUNSUPPORTED, #GAN_ENOMEM.
 */
GAN_EXTERN int gan_dataset_gcn(gan_dataset **out, const gan_dataset *src,
                               const gan_gcn_options *opts);

/** @} */

/* ------------------------------------------------------------------------ */
/**
 * @defgroup gan_toys Toy distributions
 * @brief Toy distributions with known densities.
 * @{
 */

/** Toy distributions with known densities. */
typedef enum gan_toy_kind {
    GAN_TOY_GAUSSIAN_1D = 0, /**< N(mean, std^2) in 1-D (the paper's Figure 1) */
    GAN_TOY_RING_2D = 1,     /**< `modes` Gaussians evenly on a circle of radius */
    GAN_TOY_GRID_2D = 2      /**< grid_side^2 Gaussians, centres spacing apart,
                                centred on the origin */
} gan_toy_kind;

/** Parameters of a toy distribution. */
typedef struct gan_toy_options {
    unsigned int version; /**< #GAN_TOY_OPTIONS_VERSION */
    uint32_t kind;      /**< gan_toy_kind */
    float std;          /**< std of each mode, > 0 */
    float mean;         /**< GAUSSIAN_1D */
    float radius;       /**< RING_2D */
    uint32_t modes;     /**< RING_2D */
    uint32_t grid_side; /**< GRID_2D */
    float spacing;      /**< GRID_2D */
} gan_toy_options;

/** Current version of #gan_toy_options. */
#define GAN_TOY_OPTIONS_VERSION 1
/** Initialiser of #gan_toy_options with the defaults (an 8-mode ring). */
#define GAN_TOY_OPTIONS_INIT \
    { GAN_TOY_OPTIONS_VERSION, GAN_TOY_RING_2D, 0.02f, 0.0f, 2.0f, 8, 5, 2.0f }

/**
 * @brief Fill opts with the defaults of #GAN_TOY_OPTIONS_INIT.
 * @param[out] opts    The options.
 * @param      version #GAN_TOY_OPTIONS_VERSION.
 * @return #GAN_OK, #GAN_EINVAL, #GAN_EUNSUPPORTED for an unknown version.
 */
GAN_EXTERN int gan_toy_options_init(gan_toy_options *opts, unsigned int version);
/**
 * @brief Width of the toy's points (1 or 2).
 * @param opts The toy.
 * @return The width; 0 for NULL or invalid options (error recorded).
 */
GAN_EXTERN size_t gan_toy_width(const gan_toy_options *opts);
/**
 * @brief Number of modes.
 * @param opts The toy.
 * @return The count; 0 for NULL or invalid options (error recorded).
 */
GAN_EXTERN size_t gan_toy_num_modes(const gan_toy_options *opts);
/**
 * @brief Centres of the modes: out holds num_modes x width floats.
 * @param[out] out  n floats.
 * @param      n    num_modes x width.
 * @param      opts The toy.
 * @return #GAN_OK, #GAN_EINVAL, or #GAN_ESHAPE for a wrong n.
 */
GAN_EXTERN int gan_toy_centers(float *out, size_t n, const gan_toy_options *opts);
/**
 * @brief rows samples into out (rows x width).
 * @param[out] out  rows x cols floats.
 * @param      rows Number of samples.
 * @param      cols The toy's width.
 * @param      opts The toy.
 * @param      rng  Source of the draws.
 * @return #GAN_OK, #GAN_EINVAL, #GAN_ESHAPE.
 */
GAN_EXTERN int gan_toy_sample(float *out, size_t rows, size_t cols,
                              const gan_toy_options *opts, gan_rng *rng);
/**
 * @brief Density of each row of x (rows x width) under the toy distribution.
 * @param[out] out  rows densities.
 * @param      opts The toy.
 * @param      x    rows x cols points.
 * @param      rows Number of points.
 * @param      cols The toy's width.
 * @return #GAN_OK, #GAN_EINVAL, #GAN_ESHAPE.
 */
GAN_EXTERN int gan_toy_density(double *out, const gan_toy_options *opts,
                               const float *x, size_t rows, size_t cols);
/**
 * @brief Nearest mode of each row and its distance in units of std.
 * Either output may be NULL.
 * @param[out] mode_out     rows mode indices, or NULL.
 * @param[out] dist_std_out rows distances in units of std, or NULL.
 * @param      opts         The toy.
 * @param      x            rows x cols points.
 * @param      rows         Number of points.
 * @param      cols         The toy's width.
 * @return #GAN_OK, #GAN_EINVAL, #GAN_ESHAPE, #GAN_EUNSUPPORTED.
 */
GAN_EXTERN int gan_toy_assign(int32_t *mode_out, float *dist_std_out,
                              const gan_toy_options *opts,
                              const float *x, size_t rows, size_t cols);
/**
 * @brief A dataset of rows samples of a toy distribution.
 * @param[out] out  Receives the new dataset.
 * @param      opts The toy.
 * @param      rows Number of samples.
 * @param      rng  Source of the draws.
 * @return #GAN_OK, #GAN_EINVAL, #GAN_EUNSUPPORTED, #GAN_ENOMEM.
 */
GAN_EXTERN int gan_dataset_create_toy(gan_dataset **out, const gan_toy_options *opts,
                                      size_t rows, gan_rng *rng);

/** @} */

/* ------------------------------------------------------------------------ */
/**
 * @defgroup gan_losses Losses
 * @brief Losses, from D's logits a (D = sigmoid(a)), computed with softplus
 * so they are finite for logits of any size.
 *
 * @verbatim
   D loss    = w [ mean softplus(-a_real) + mean softplus(a_fake) ],
               w = 1/2 with GAN_LOSS_D_HALF (the original code), else 1
   G minimax = mean log(1 - D(G(z))) = -mean softplus(a_fake)  (minimised)
   G non-saturating = mean softplus(-a_fake) = -mean log D(G(z))
   @endverbatim
 * Gradients are with respect to the logits, for the mean over the rows.
 * @{
 */

/** Generator losses. */
typedef enum gan_g_loss {
    GAN_G_LOSS_NON_SATURATING = 0, /**< mean softplus(-a_fake) = -mean log D(G(z)) */
    GAN_G_LOSS_MINIMAX = 1         /**< mean log(1 - D(G(z))), minimised */
} gan_g_loss;

/** Flag of gan_loss_d() and gan_update_d(): w = 1/2 on D's loss (the
 * original code). */
#define GAN_LOSS_D_HALF 1u

/**
 * @brief D's loss and its gradients. grad_real (n_real) and grad_fake
 * (n_fake) may be NULL.
 * @param[out] loss       Receives the loss.
 * @param[out] grad_real  n_real gradients, or NULL.
 * @param[out] grad_fake  n_fake gradients, or NULL.
 * @param      logit_real D's logits on real examples (n_real).
 * @param      n_real     Number of real logits.
 * @param      logit_fake D's logits on fake examples (n_fake).
 * @param      n_fake     Number of fake logits.
 * @param      flags      0 or #GAN_LOSS_D_HALF.
 * @return #GAN_OK, or #GAN_EINVAL.
 */
GAN_EXTERN int gan_loss_d(double *loss, float *grad_real, float *grad_fake,
                          const float *logit_real, size_t n_real,
                          const float *logit_fake, size_t n_fake, unsigned flags);
/**
 * @brief D's loss with one-sided label smoothing: the target on real
 * examples is real_label instead of 1 (fake examples keep target 0).
 *
 * @verbatim
   D loss = w [ mean (t softplus(-a_real) + (1 - t) softplus(a_real))
                + mean softplus(a_fake) ],   t = real_label
   @endverbatim
 * Its gradient on a real logit is w (sigmoid(a) - t) / n_real. With
 * real_label = 1 this is gan_loss_d(). Salimans et al. (2016) use 0.9.
 * @param[out] loss       Receives the loss.
 * @param[out] grad_real  n_real gradients, or NULL.
 * @param[out] grad_fake  n_fake gradients, or NULL.
 * @param      logit_real D's logits on real examples (n_real).
 * @param      n_real     Number of real logits.
 * @param      logit_fake D's logits on fake examples (n_fake).
 * @param      n_fake     Number of fake logits.
 * @param      flags      0 or #GAN_LOSS_D_HALF.
 * @param      real_label The target on real examples, in [0.5, 1].
 * @return #GAN_OK, or #GAN_EINVAL (also for real_label outside [0.5, 1]).
 */
GAN_EXTERN int gan_loss_d_smoothed(double *loss, float *grad_real, float *grad_fake,
                                   const float *logit_real, size_t n_real,
                                   const float *logit_fake, size_t n_fake, unsigned flags,
                                   float real_label);
/**
 * @brief G's loss and its gradient. grad (n) may be NULL.
 * @param[out] loss       Receives the loss.
 * @param[out] grad       n gradients, or NULL.
 * @param      logit_fake D's logits on fake examples (n).
 * @param      n          Number of logits.
 * @param      kind       A #gan_g_loss.
 * @return #GAN_OK, #GAN_EINVAL, #GAN_EUNSUPPORTED for an unknown kind.
 */
GAN_EXTERN int gan_loss_g(double *loss, float *grad, const float *logit_fake, size_t n,
                          int kind);

/**
 * @name Classification
 * Softmax over rows of class logits (rows x classes, row-major), for
 * classifiers trained with gan_net_train_forward(), gan_net_backward()
 * (#GAN_BACKWARD_LOGITS) and gan_optimizer_step(); see
 * examples/mnist_classifier.c. Each row is shifted by its maximum before
 * exponentiation (log-sum-exp) and sums run in double, so any finite logits
 * give finite results. Every logit must be finite; a refused call writes
 * nothing.
 * @verbatim
   softmax(a)_c = exp(a_c) / sum_k exp(a_k)
   loss = mean over rows of -log softmax(a)_label
   grad = (softmax(a) - onehot(label)) / rows
   @endverbatim
 * @{
 */
/**
 * @brief Softmax cross-entropy loss of labelled rows and its gradient with
 * respect to the logits.
 * @param[out] loss    Receives the mean over the rows.
 * @param[out] grad    rows x classes gradients, or NULL; may be logits
 *                     (overwritten in place).
 * @param      logits  rows x classes finite logits.
 * @param      rows    Number of rows (> 0).
 * @param      classes Number of classes (> 0).
 * @param      labels  rows labels, each in [0, classes).
 * @return #GAN_OK, or #GAN_EINVAL (NULL pointers, rows or classes 0, a
 *         logit NaN or Inf, a label out of range; the message names the
 *         row).
 */
GAN_EXTERN int gan_loss_softmax_cross_entropy(double *loss, float *grad, const float *logits,
                                              size_t rows, size_t classes,
                                              const int32_t *labels);
/**
 * @brief Class probabilities: out = softmax of each row of logits.
 * @param[out] out     rows x classes probabilities (each row sums to 1); may
 *                     be logits (in place).
 * @param      logits  rows x classes finite logits (e.g. gan_net_forward()
 *                     with #GAN_FORWARD_LOGITS).
 * @param      rows    Number of rows (> 0).
 * @param      classes Number of classes (> 0).
 * @return #GAN_OK, or #GAN_EINVAL (NULL pointers, rows or classes 0, a
 *         logit NaN or Inf).
 */
GAN_EXTERN int gan_softmax(float *out, const float *logits, size_t rows, size_t classes);
/** @} */

/** @} */

/* ------------------------------------------------------------------------ */
/**
 * @defgroup gan_updates Update steps
 * @brief One discriminator step and one generator step, usable without a
 * session (a session runs the same code).
 *
 * With an SGD optimizer the gradient is folded straight into the momentum
 * velocity (one memory pass fewer), so the net's gradient array
 * (gan_net_get_grads()) is not updated by these steps; with Adam it is.
 * - Inputs holding NaN or Inf are refused with #GAN_EINVAL naming the
 *   argument and the row.
 * - On any error but #GAN_EDIVERGED the nets and optimizers are unchanged.
 *   #GAN_EDIVERGED for non-finite logits also changes nothing; when the
 *   step itself turned a parameter NaN or Inf, the step was applied (a
 *   session rolls back; without one, keep your own copy to restore).
 * - stats (may be NULL) is written on #GAN_OK only.
 * - Each call allocates and frees a gradient scratch (3 x rows floats, plus
 *   rows x G's output width for gan_update_g()); a session reuses its own.
 * @{
 */

/** Statistics of one update step. */
typedef struct gan_step_stats {
    double d_loss;  /**< discriminator loss (NaN if no D step ran) */
    double g_loss;  /**< generator loss (NaN if no G step ran) */
    double d_real;  /**< mean D(x) over the real rows */
    double d_fake;  /**< mean D(G(z)) over the fake rows */
} gan_step_stats;

/**
 * @brief Ascend D's objective on rows real and rows fake examples (rows x
 * cols each): one optimizer step of d_opt (bound to d).
 *
 * rng draws D's dropout masks (may be NULL if D has no dropout). D runs
 * once on the real and the fake rows, but a batch norm in D normalises
 * each with its own statistics (see gan_net_add_batchnorm()), as two
 * gan_net_train_forward() calls would.
 * @param[out] stats The step's statistics, or NULL.
 * @param      d     The discriminator.
 * @param      d_opt Its optimizer (bound to d).
 * @param      rng   Source of D's dropout masks, or NULL.
 * @param      real  rows x cols real examples.
 * @param      fake  rows x cols generated examples.
 * @param      rows  Rows of each.
 * @param      cols  D's input width.
 * @param      flags 0 or #GAN_LOSS_D_HALF.
 * @return #GAN_OK, #GAN_EINVAL, #GAN_ESHAPE, #GAN_ESTATE, #GAN_EDIVERGED,
 *         #GAN_ENOMEM.
 */
GAN_EXTERN int gan_update_d(gan_step_stats *stats, gan_net *d, gan_optimizer *d_opt,
                            gan_rng *rng, const float *real, const float *fake,
                            size_t rows, size_t cols, unsigned flags);
/**
 * @brief One generator step from noise z (rows x z_cols): G forward, D
 * forward, backpropagation through D into G (D's parameters and gradients
 * are not changed), one step of g_opt (bound to g).
 * @param[out] stats  The step's statistics, or NULL.
 * @param      g      The generator.
 * @param      g_opt  Its optimizer (bound to g).
 * @param      d      The discriminator (not changed).
 * @param      rng    Source of the dropout masks, or NULL without dropout.
 * @param      z      rows x z_cols noise.
 * @param      rows   Number of noise rows.
 * @param      z_cols G's input width.
 * @param      g_loss A #gan_g_loss.
 * @return #GAN_OK, #GAN_EINVAL, #GAN_ESHAPE, #GAN_ESTATE, #GAN_EUNSUPPORTED,
 *         #GAN_EDIVERGED, #GAN_ENOMEM.
 */
GAN_EXTERN int gan_update_g(gan_step_stats *stats, gan_net *g, gan_optimizer *g_opt,
                            gan_net *d, gan_rng *rng, const float *z,
                            size_t rows, size_t z_cols, int g_loss);

/** @} */

/* ------------------------------------------------------------------------ */
/**
 * @defgroup gan_sessions Training session
 * @brief Training session: Algorithm 1 of the paper.
 *
 * The session borrows g, d, both optimizers and the dataset: they must
 * outlive it and not be used elsewhere while it trains. It owns its RNG.
 * @{
 */

/** Opaque training session handle. */
typedef struct gan_session gan_session;

/** Noise priors of G's input. */
typedef enum gan_noise_kind {
    GAN_NOISE_UNIFORM = 0, /**< U(-noise_scale, noise_scale) per component */
    GAN_NOISE_NORMAL = 1   /**< N(0, noise_scale^2) */
} gan_noise_kind;

/** Order of the D and G updates. */
typedef enum gan_update_order {
    GAN_ORDER_ALTERNATING = 0, /**< k D steps, then a G step (Algorithm 1) */
    GAN_ORDER_SIMULTANEOUS = 1 /**< D and G gradients from one minibatch, one
                                  update of each (the original code); k = 1 */
} gan_update_order;

/** Options of gan_session_create(). */
typedef struct gan_session_options {
    unsigned int version;  /**< #GAN_SESSION_OPTIONS_VERSION */
    uint32_t batch_size;   /**< m */
    uint32_t k;            /**< D steps per G step */
    uint32_t g_loss;       /**< gan_g_loss */
    uint32_t noise_kind;   /**< gan_noise_kind */
    float noise_scale;     /**< > 0 */
    uint32_t noise_width;  /**< G's input width */
    uint64_t seed;         /**< seed of the session's own RNG */
    uint32_t update_order; /**< gan_update_order */
    uint32_t d_loss_half;  /**< nonzero: the original code's 1/2 on D's loss */
    uint32_t threads;      /**< threads for the element-wise loops around the
                              matrix products, the caller included; 0 = the
                              online CPUs, at most 4. Results do not depend
                              on it. (Matrix products use the BLAS's own
                              threads, e.g. OPENBLAS_NUM_THREADS.) */
    /* Version 2 fields. A version-1 caller passes the struct up to here;
       the library then uses the defaults below. */
    float g_average_decay; /**< 0: off (the default). In (0, 1): the session
                              keeps an exponential moving average of G's
                              parameters, avg = decay * avg + (1 - decay) *
                              G after every iteration, starting from G at
                              creation (Yazici et al. 2019); see
                              gan_session_average_net(). 0.999 averages over
                              about the last 1,000 iterations. Batch
                              normalisation's running statistics are
                              averaged the same way. */
    float real_label;      /**< D's target on real examples: 1 (the default)
                              is the paper's loss; below 1 is one-sided label
                              smoothing (Salimans et al. 2016; 0.9 is usual),
                              see gan_loss_d_smoothed(). In [0.5, 1]. */
    uint32_t cond_width;   /**< 0: an ordinary GAN (the default). Above 0: a
                              conditional GAN p(x | c) (paper §7.1): the last
                              cond_width columns of every data row are its
                              condition c (gan_dataset_append_onehot() and
                              gan_dataset_append_masked() build such data),
                              G's input is [z | c] (noise_width +
                              cond_width wide) and D's input [x | c] (the
                              data row as it is, or G's sample followed by
                              the c it was given). Fake rows get the
                              conditions of the real rows of the same
                              minibatch (repeated when a G step has more
                              rows). Sample with gan_session_sample_cond();
                              save a conditional G with gan_net_save()
                              (generator files hold unconditional ones). */
    /* Version 3 field. */
    float d_r1_gamma;      /**< 0: off (the default). Above 0: every D step
                              adds the R1 penalty (gamma / 2) mean_i
                              |grad_x a(x_i)|^2 over the real rows to D's
                              loss, a = D's logit under the step's dropout
                              masks (Mescheder et al. 2018; it steadies the
                              alternating order). Its parameter gradient is
                              a central difference of D's gradient along
                              grad_x a (one more forward and backward of the
                              real rows): exact for piecewise-linear nets
                              (ReLU, leaky ReLU, maxout, dropout, pooling,
                              convolutions) while no unit changes piece
                              within the small step, second-order accurate
                              otherwise. D must not hold batch
                              normalisation (#GAN_EUNSUPPORTED). The
                              reported D loss includes the penalty. With a
                              condition, grad_x covers its columns too. */
} gan_session_options;

/** Current version of #gan_session_options (2 added g_average_decay,
 * real_label and cond_width, 3 added d_r1_gamma; versions 1 and 2 are
 * still accepted). */
#define GAN_SESSION_OPTIONS_VERSION 3
/** Initialiser of #gan_session_options with the defaults. */
#define GAN_SESSION_OPTIONS_INIT \
    { GAN_SESSION_OPTIONS_VERSION, 100, 1, GAN_G_LOSS_NON_SATURATING, \
      GAN_NOISE_UNIFORM, 1.0f, 100, 0, GAN_ORDER_ALTERNATING, 0, 0, 0.0f, 1.0f, 0, 0.0f }

/** Statistics of one training iteration. */
typedef struct gan_stats {
    uint64_t iteration;   /**< 1-based iteration just finished */
    uint64_t epoch;       /**< 1-based epoch it belongs to */
    double d_loss;        /**< discriminator loss */
    double g_loss;        /**< generator loss */
    double d_real;        /**< mean D(x) */
    double d_fake;        /**< mean D(G(z)) */
    float learning_rate;  /**< D optimizer's current learning rate */
    float momentum;       /**< D optimizer's current momentum */
} gan_stats;

/**
 * @brief Progress callback of gan_session_train().
 *
 * Return nonzero to stop training; the call then returns #GAN_EABORTED.
 * stats points to the session's own storage and is valid only during the
 * call: copy what you keep.
 * @param stats    The iteration's statistics (borrowed).
 * @param userdata The pointer given to the train call.
 */
typedef int (*gan_progress_fn)(const gan_stats *stats, void *userdata);

/**
 * @brief Fill opts with the defaults of #GAN_SESSION_OPTIONS_INIT.
 * @param[out] opts    The options.
 * @param      version #GAN_SESSION_OPTIONS_VERSION.
 * @return #GAN_OK, #GAN_EINVAL, #GAN_EUNSUPPORTED for an unknown version.
 */
GAN_EXTERN int gan_session_options_init(gan_session_options *opts, unsigned int version);
/**
 * @brief Create a session training g against d on data.
 *
 * Borrows g, d, g_opt, d_opt and data (see the group's description);
 * copies opts.
 * @param[out] out   Receives the new session; free it with gan_session_free().
 * @param      g     The generator (borrowed).
 * @param      d     The discriminator (borrowed).
 * @param      g_opt Optimizer bound to g (borrowed).
 * @param      d_opt Optimizer bound to d (borrowed).
 * @param      data  The training data (borrowed).
 * @param      opts  The options (copied).
 * @return #GAN_OK, #GAN_EINVAL, #GAN_ESHAPE, #GAN_EUNSUPPORTED, #GAN_ENOMEM.
 */
GAN_EXTERN int gan_session_create(gan_session **out, gan_net *g, gan_net *d,
                                  gan_optimizer *g_opt, gan_optimizer *d_opt,
                                  gan_dataset *data, const gan_session_options *opts);
/**
 * @brief Free a session (not what it borrows).
 * @param s The session, or NULL (ignored).
 */
GAN_EXTERN void gan_session_free(gan_session *s);
/**
 * @brief One iteration of Algorithm 1.
 *
 * All or nothing: on any error the nets, optimizers, RNG, dataset position
 * and counters are as they were before the call, so a retry continues
 * exactly as an uninterrupted run would. Everything that can fail for a
 * reason other than divergence (shapes of the borrowed nets, workspace
 * memory, the rollback snapshot) is checked before anything changes. On
 * #GAN_EDIVERGED (a NaN or Inf in a loss or a parameter) the state is
 * restored: the session keeps an in-memory snapshot every 500 iterations
 * and replays the good iterations after it, which training's determinism
 * makes exact, and the restore allocates nothing, so it cannot fail.
 * @param[out] stats The iteration's statistics; stats may be NULL.
 * @param      s     The session.
 * @return #GAN_OK, #GAN_EINVAL, #GAN_ESHAPE, #GAN_ENOMEM, #GAN_EDIVERGED.
 */
GAN_EXTERN int gan_session_step(gan_stats *stats, gan_session *s);
/**
 * @brief iterations steps, calling progress (may be NULL) after each.
 * @param s          The session.
 * @param iterations Number of iterations.
 * @param progress   Called after each iteration, or NULL.
 * @param userdata   Passed to progress.
 * @return #GAN_OK, #GAN_EABORTED (progress returned nonzero, or
 *         gan_session_interrupt()), or an error of gan_session_step().
 */
GAN_EXTERN int gan_session_train(gan_session *s, uint64_t iterations,
                                 gan_progress_fn progress, void *userdata);
/**
 * @brief Train until `epochs` more epochs of the dataset have been completed.
 * @param s        The session.
 * @param epochs   Number of further epochs.
 * @param progress Called after each iteration, or NULL.
 * @param userdata Passed to progress.
 * @return #GAN_OK, #GAN_EABORTED, #GAN_EINVAL when the epoch count would
 *         overflow, or an error of gan_session_step().
 */
GAN_EXTERN int gan_session_train_epochs(gan_session *s, uint64_t epochs,
                                        gan_progress_fn progress, void *userdata);
/**
 * @brief Ask a running (or the next) gan_session_train() /
 * gan_session_train_epochs() to stop.
 *
 * It finishes the iteration in progress and returns #GAN_EABORTED before
 * starting another, with the session consistent (a following step, train,
 * save or sample works, and training on continues exactly as an
 * uninterrupted run would). The request stays pending until a train call
 * reports it, and that report clears it; a train call asked for 0
 * iterations or epochs reports a pending request too, so it can be used to
 * discard one. gan_session_step() ignores requests.
 *
 * Async-signal-safe and callable from any thread while another trains (it
 * only sets a lock-free atomic flag). It records no error message (that
 * would not be async-signal-safe).
 * @param s The session.
 * @return #GAN_OK; s == NULL returns #GAN_EINVAL without touching
 *         gan_error_last().
 */
GAN_EXTERN int gan_session_interrupt(gan_session *s);
/**
 * @brief Iterations completed so far (0 for a new session).
 * @param s The session.
 * @return The count; 0 for NULL.
 */
GAN_EXTERN uint64_t gan_session_iteration(const gan_session *s);
/**
 * @brief Epochs of the dataset completed so far (0 during the first epoch).
 * @param s The session.
 * @return The count; 0 for NULL.
 */
GAN_EXTERN uint64_t gan_session_epoch(const gan_session *s);
/**
 * @brief Draw rows noise vectors (rows x noise_width) from the session's prior.
 *
 * This uses the session's generator, so it shifts the training stream that
 * follows; for evaluation that must not touch training, draw z from a
 * #gan_rng of your own and pass it to gan_session_sample().
 * @param[out] out  rows x cols floats.
 * @param      rows Number of vectors (> 0).
 * @param      cols The noise width.
 * @param      s    The session (its RNG advances).
 * @return #GAN_OK, #GAN_EINVAL, #GAN_ESHAPE.
 */
GAN_EXTERN int gan_session_noise(float *out, size_t rows, size_t cols, gan_session *s);
/**
 * @brief rows samples of G (rows x cols, cols = G's output width), from the
 * given noise z (rows x noise_width) or, when z is NULL, from fresh noise.
 * @param[out] out  rows x cols floats.
 * @param      rows Number of samples (> 0).
 * @param      cols G's output width.
 * @param      s    The session.
 * @param      z    rows x noise_width noise, or NULL for fresh noise from
 *                  the session's RNG.
 * @return #GAN_OK, #GAN_EINVAL, #GAN_ESHAPE, #GAN_ENOMEM.
 */
GAN_EXTERN int gan_session_sample(float *out, size_t rows, size_t cols,
                                  gan_session *s, const float *z);
/**
 * @brief The session's moving average of G (gan_session_options::g_average_decay),
 * as a net of G's architecture.
 *
 * The net is the session's: do not free or change it. It stays valid until
 * gan_session_free() and follows the training (and gan_session_load()).
 * Use it with gan_net_forward(), gan_net_save() or gan_generator_save_net();
 * like every const net it may be read by several threads while the session
 * does not train.
 * @param[out] out Receives the averaged net (NULL on error).
 * @param      s   The session.
 * @return #GAN_OK, #GAN_EINVAL, #GAN_ESTATE when the session keeps no average.
 */
GAN_EXTERN int gan_session_average_net(const gan_net **out, const gan_session *s);
/**
 * @brief rows samples of the averaged G (gan_session_average_net()), like
 * gan_session_sample().
 * @param[out] out  rows x cols floats.
 * @param      rows Number of samples (> 0).
 * @param      cols G's output width.
 * @param      s    The session.
 * @param      z    rows x noise_width noise, or NULL for fresh noise from
 *                  the session's RNG.
 * @return #GAN_OK, #GAN_EINVAL, #GAN_ESHAPE, #GAN_ESTATE when the session
 *         keeps no average, #GAN_ENOMEM.
 */
GAN_EXTERN int gan_session_sample_average(float *out, size_t rows, size_t cols,
                                          gan_session *s, const float *z);
/** Flag of gan_session_sample_cond(): sample the moving average of G. */
#define GAN_SAMPLE_AVERAGE 1u
/**
 * @brief rows samples of a conditional GAN's G (gan_session_options::cond_width
 * above 0) for the conditions c: out row i is G([z_i | c_i]).
 *
 * gan_session_sample() and gan_session_sample_average() refuse a
 * conditional session, since G's input needs c.
 * @param[out] out   rows x cols floats, cols = G's output width.
 * @param      rows  Number of samples (> 0).
 * @param      cols  G's output width.
 * @param      s     The session.
 * @param      z     rows x noise_width noise, or NULL for fresh noise from
 *                   the session's RNG.
 * @param      c     rows x cond_width conditions (finite).
 * @param      flags 0, or #GAN_SAMPLE_AVERAGE for the average of G.
 * @return #GAN_OK, #GAN_EINVAL, #GAN_ESHAPE, #GAN_ESTATE (not a conditional
 *         session; or no average kept with #GAN_SAMPLE_AVERAGE), #GAN_ENOMEM.
 */
GAN_EXTERN int gan_session_sample_cond(float *out, size_t rows, size_t cols, gan_session *s,
                                       const float *z, const float *c, unsigned flags);
/**
 * @brief Whole training state (nets, optimizers, RNG, dataset position,
 * counters, options, the average of G when kept) in one checksummed file,
 * written atomically.
 * @param s    The session.
 * @param path Destination file (saved like gan_net_save()).
 * @return #GAN_OK, #GAN_EINVAL, #GAN_EIO, #GAN_ENOMEM.
 */
GAN_EXTERN int gan_session_save(const gan_session *s, const char *path);
/**
 * @brief Restore a checkpoint into a session built with the same
 * architecture and options; on any error the session is unchanged.
 * @param s    The session.
 * @param path A file of gan_session_save().
 * @return #GAN_OK, #GAN_EINVAL, #GAN_EIO, #GAN_EFORMAT, #GAN_ESHAPE (another
 *         architecture or option, named in the message), #GAN_ENOMEM.
 */
GAN_EXTERN int gan_session_load(gan_session *s, const char *path);

/** @} */

/* ------------------------------------------------------------------------ */
/**
 * @defgroup gan_generators Generators
 * @brief Generators: a trained G together with its noise prior (kind,
 * scale, width) and its output scaling, so it can be sampled with nothing
 * else.
 *
 * A generator file is a container like every libgan file (magic
 * "GANGEN\0\1", format 1): the prior, then the net record of gan_net_save().
 * A generator is read-only once made: several threads may sample one
 * generator at the same time, each with its own #gan_rng.
 * @{
 */

/** Opaque generator handle: read-only once made. */
typedef struct gan_generator gan_generator;

/** What gan_generator_sample() does to G's output. */
typedef enum gan_output_scaling {
    GAN_OUTPUT_IDENTITY = 0,         /**< G's output as is */
    GAN_OUTPUT_SYMMETRIC_TO_UNIT = 1 /**< [-1, 1] -> [0, 1]: (y + 1) / 2, for a
                                        tanh G trained on gan_dataset_scale'd
                                        data */
} gan_output_scaling;

/** A generator's prior and output scaling. */
typedef struct gan_generator_options {
    unsigned int version;    /**< #GAN_GENERATOR_OPTIONS_VERSION */
    uint32_t noise_kind;     /**< gan_noise_kind */
    float noise_scale;       /**< > 0, finite */
    uint32_t noise_width;    /**< 0: the net's input width; else must equal it */
    uint32_t output_scaling; /**< gan_output_scaling */
} gan_generator_options;

/** Current version of #gan_generator_options. */
#define GAN_GENERATOR_OPTIONS_VERSION 1
/** Initialiser of #gan_generator_options with the defaults. */
#define GAN_GENERATOR_OPTIONS_INIT \
    { GAN_GENERATOR_OPTIONS_VERSION, GAN_NOISE_UNIFORM, 1.0f, 0, GAN_OUTPUT_IDENTITY }

/**
 * @brief Fill opts with the defaults of #GAN_GENERATOR_OPTIONS_INIT.
 * @param[out] opts    The options.
 * @param      version #GAN_GENERATOR_OPTIONS_VERSION.
 * @return #GAN_OK, #GAN_EINVAL, #GAN_EUNSUPPORTED for an unknown version.
 */
GAN_EXTERN int gan_generator_options_init(gan_generator_options *opts, unsigned int version);
/**
 * @brief The prior of a session's options (noise kind, scale and width),
 * identity output scaling, into opts (a fresh #GAN_GENERATOR_OPTIONS_VERSION
 * struct).
 * @param[out] opts    Receives the generator options.
 * @param      session The session's options.
 * @return #GAN_OK, #GAN_EINVAL, #GAN_EUNSUPPORTED (an unknown session
 *         options version).
 */
GAN_EXTERN int gan_generator_options_from_session(gan_generator_options *opts,
                                                  const gan_session_options *session);
/**
 * @brief A generator holding a copy of net (later changes to net do not
 * reach it) and the prior of opts (NULL: the defaults).
 * @param[out] out  Receives the new generator; free it with gan_generator_free().
 * @param      net  The trained G (copied).
 * @param      opts The prior, or NULL for the defaults.
 * @return #GAN_OK, #GAN_EINVAL for a bad option, a net without layers or a
 *         net holding NaN or Inf parameters, #GAN_ESHAPE for a noise_width
 *         other than the net's input width, #GAN_EUNSUPPORTED, #GAN_ENOMEM.
 */
GAN_EXTERN int gan_generator_create(gan_generator **out, const gan_net *net,
                                    const gan_generator_options *opts);
/**
 * @brief Free a generator.
 * @param gen The generator, or NULL (ignored).
 */
GAN_EXTERN void gan_generator_free(gan_generator *gen);
/**
 * @brief Save atomically like gan_net_save().
 * @param gen  The generator.
 * @param path Destination file.
 * @return #GAN_OK, #GAN_EINVAL, #GAN_EIO.
 */
GAN_EXTERN int gan_generator_save(const gan_generator *gen, const char *path);
/**
 * @brief Save net with the prior of opts (NULL: the defaults) without
 * making a handle: the usual last step of training. Checks as
 * gan_generator_create().
 * @param net  The trained G.
 * @param opts The prior, or NULL for the defaults.
 * @param path Destination file (saved atomically like gan_net_save()).
 * @return #GAN_OK, #GAN_EINVAL, #GAN_ESHAPE, #GAN_EUNSUPPORTED, #GAN_EIO.
 */
GAN_EXTERN int gan_generator_save_net(const gan_net *net, const gan_generator_options *opts,
                                      const char *path);
/**
 * @brief Load a generator file, or a plain net file of gan_net_save(), which
 * gets the default prior: uniform noise in [-1, 1], noise width = the net's
 * input width, identity output scaling.
 * @param[out] out  Receives the new generator; free it with gan_generator_free().
 * @param      path The file.
 * @return #GAN_OK, #GAN_EINVAL, #GAN_EIO, #GAN_ENOMEM; anything else is
 *         #GAN_EFORMAT (damaged files, unknown noise kinds or scalings, a
 *         noise width other than the net's input width, trailing bytes, NaN
 *         or Inf parameters, a net without layers).
 */
GAN_EXTERN int gan_generator_load(gan_generator **out, const char *path);
/**
 * @brief The generator's net (borrowed: valid while gen lives; do not free).
 * @param gen The generator.
 * @return The net; NULL for NULL.
 */
GAN_EXTERN const gan_net *gan_generator_net(const gan_generator *gen);
/**
 * @brief Its prior and output scaling (opts->version is set).
 * @param[out] opts Receives the options.
 * @param      gen  The generator.
 * @return #GAN_OK, or #GAN_EINVAL for NULL pointers.
 */
GAN_EXTERN int gan_generator_get_options(gan_generator_options *opts, const gan_generator *gen);
/**
 * @brief Noise width (G's input width).
 * @param gen The generator.
 * @return The width; 0 for NULL.
 */
GAN_EXTERN size_t gan_generator_noise_width(const gan_generator *gen);
/**
 * @brief Output width.
 * @param gen The generator.
 * @return The width; 0 for NULL.
 */
GAN_EXTERN size_t gan_generator_output_width(const gan_generator *gen);
/**
 * @brief rows noise vectors (rows x cols, cols = the noise width) from the
 * prior, drawn from rng (owned by the caller).
 * @param[out] out  rows x cols floats.
 * @param      rows Number of vectors (> 0).
 * @param      cols The noise width.
 * @param      gen  The generator (only read).
 * @param      rng  The caller's generator (advances).
 * @return #GAN_OK, #GAN_EINVAL, #GAN_ESHAPE.
 */
GAN_EXTERN int gan_generator_noise(float *out, size_t rows, size_t cols,
                                   const gan_generator *gen, gan_rng *rng);
/**
 * @brief out (rows x cols, cols = the output width) = the output scaling of
 * G(z), z being rows x z_cols (z_cols = the noise width).
 * @param[out] out    rows x cols floats.
 * @param      rows   Number of rows (> 0).
 * @param      cols   The output width.
 * @param      gen    The generator (only read).
 * @param      z      rows x z_cols noise.
 * @param      z_cols The noise width.
 * @return #GAN_OK, #GAN_EINVAL, #GAN_ESHAPE, #GAN_ENOMEM.
 */
GAN_EXTERN int gan_generator_forward(float *out, size_t rows, size_t cols,
                                     const gan_generator *gen, const float *z, size_t z_cols);
/**
 * @brief rows samples: noise from rng through G and the output scaling.
 *
 * The same rng state gives the same samples. Allocates its noise and
 * scratch per call (rows x (noise width + the widest layer) floats).
 * @param[out] out  rows x cols floats.
 * @param      rows Number of samples (> 0).
 * @param      cols The output width.
 * @param      gen  The generator (only read: may be shared between threads).
 * @param      rng  The caller's generator (one per thread; advances).
 * @return #GAN_OK, #GAN_EINVAL, #GAN_ESHAPE, #GAN_ENOMEM.
 */
GAN_EXTERN int gan_generator_sample(float *out, size_t rows, size_t cols,
                                    const gan_generator *gen, gan_rng *rng);

/** @} */

/* ------------------------------------------------------------------------ */
/**
 * @defgroup gan_encoder_group Learned approximate inference
 * @brief An encoder E: x -> z trained for a fixed generator (paper §7.2).
 *
 * The paper's §7.2: "learned approximate inference can be performed by
 * training an auxiliary network to predict z given x", like the wake-sleep
 * algorithm's recognition net but for a generator whose training is done.
 * Every step draws rows noise vectors z from the generator's prior, makes
 * x = G(z) (with its output scaling), and takes one optimizer step of E on
 * the mean squared error (1/(rows k)) sum (E(x) - z)^2, k the noise width.
 * Afterwards gan_net_forward(E) maps data to codes, and G(E(x)) is a
 * reconstruction of x (examples/mnist_inference).
 *
 * Thread rules: a trainer is used by one thread at a time; the generator
 * is only read (it may be shared), E and its optimizer are changed.
 * @{
 */
/** Opaque trainer of an encoder (owns its rng and scratch). */
typedef struct gan_encoder_trainer gan_encoder_trainer;
/**
 * @brief A trainer of encoder e for generator gen, rows pairs a step.
 *
 * e must read rows of the generator's output width and output its noise
 * width (its last layer usually linear: codes of a uniform or normal prior
 * are not bounded like a sigmoid's output). The scratch (rows x (noise +
 * output + noise width) floats) is allocated here, none in the steps.
 * @param[out] out   Receives the trainer; free it with gan_encoder_trainer_free().
 * @param      e     The encoder (borrowed; it must outlive the trainer).
 * @param      e_opt An optimizer bound to e (borrowed).
 * @param      gen   The fixed generator (borrowed, only read).
 * @param      rows  Pairs (z, G(z)) per step, > 0.
 * @param      seed  Seed of the trainer's own rng (the noise it draws).
 * @return #GAN_OK, #GAN_EINVAL (NULL pointers, rows 0 or too large, an
 *         optimizer bound to another net), #GAN_ESHAPE (e's widths do not
 *         fit the generator's), #GAN_ESTATE (e has no layers), #GAN_ENOMEM.
 */
GAN_EXTERN int gan_encoder_trainer_create(gan_encoder_trainer **out, gan_net *e,
                                          gan_optimizer *e_opt, const gan_generator *gen,
                                          size_t rows, uint64_t seed);
/**
 * @brief Free a trainer (not its encoder, optimizer or generator).
 * @param t The trainer, or NULL (ignored).
 */
GAN_EXTERN void gan_encoder_trainer_free(gan_encoder_trainer *t);
/**
 * @brief One step: fresh pairs (z, G(z)), E's training forward on G(z), the
 * squared-error gradient, E's backward and its optimizer's step.
 * @param[out] loss The step's mean squared error per code component
 *                  (before the update); may be NULL.
 * @param      t    The trainer.
 * @return #GAN_OK, #GAN_EINVAL, #GAN_ESHAPE or #GAN_ESTATE (layers were
 *         added to e since the trainer was made), #GAN_EDIVERGED (E's
 *         output or the updated parameters are not finite), #GAN_ENOMEM.
 */
GAN_EXTERN int gan_encoder_trainer_step(double *loss, gan_encoder_trainer *t);

/** @} */

/* ------------------------------------------------------------------------ */
/**
 * @defgroup gan_parzen_group Parzen-window log-likelihood
 * @brief Parzen-window log-likelihood (the paper's Table 1 estimator).
 *
 * @verbatim
   log p(x) = logmeanexp_i(-|x - mu_i|^2 / (2 sigma^2)) - d log(sigma sqrt(2 pi))
   @endverbatim
 * @{
 */

/** Opaque Parzen estimator handle (holds a copy of its samples mu_i). */
typedef struct gan_parzen gan_parzen;

/** Size of the paper's sigma grid (gan_parzen_paper_grid()). */
#define GAN_PARZEN_PAPER_GRID_SIZE 10

/**
 * @brief An estimator centred on n samples of width d. Copies the n x d samples.
 * @param[out] out     Receives the new estimator; free it with gan_parzen_free().
 * @param      samples n x d samples (copied).
 * @param      n       Number of samples (> 0).
 * @param      d       Their width (> 0).
 * @return #GAN_OK, #GAN_EINVAL, #GAN_ENOMEM.
 */
GAN_EXTERN int gan_parzen_create(gan_parzen **out, const float *samples, size_t n, size_t d);
/**
 * @brief Free an estimator.
 * @param p The estimator, or NULL (ignored).
 */
GAN_EXTERN void gan_parzen_free(gan_parzen *p);
/**
 * @brief Rows of x per distance block (memory ~ block_rows x n floats).
 * @param p          The estimator.
 * @param block_rows Rows per block (> 0).
 * @return #GAN_OK, or #GAN_EINVAL.
 */
GAN_EXTERN int gan_parzen_set_block_rows(gan_parzen *p, size_t block_rows);
/**
 * @brief Per-row log-likelihoods (ll_out, rows; may be NULL), their mean and
 * the standard error std(ddof=0)/sqrt(rows) (either may be NULL).
 * @param[out] ll_out    rows log-likelihoods, or NULL.
 * @param[out] mean      Receives the mean, or NULL.
 * @param[out] std_error Receives the standard error, or NULL.
 * @param      p         The estimator.
 * @param      x         rows x cols points.
 * @param      rows      Number of points.
 * @param      cols      The samples' width d.
 * @param      sigma     Window width (> 0).
 * @return #GAN_OK, #GAN_EINVAL, #GAN_ESHAPE, #GAN_ENOMEM.
 */
GAN_EXTERN int gan_parzen_log_likelihood(double *ll_out, double *mean, double *std_error,
                                         gan_parzen *p, const float *x,
                                         size_t rows, size_t cols, double sigma);
/**
 * @brief Mean log-likelihood of x for every sigma of the grid (mean_ll,
 * n_sigmas; may be NULL) from one pass over the distances; *best_sigma the
 * best.
 * @param[out] best_sigma Receives the sigma of the highest mean.
 * @param[out] mean_ll    n_sigmas means, or NULL.
 * @param      p          The estimator.
 * @param      x          rows x cols points.
 * @param      rows       Number of points.
 * @param      cols       The samples' width d.
 * @param      sigmas     n_sigmas window widths (> 0).
 * @param      n_sigmas   Number of sigmas.
 * @return #GAN_OK, #GAN_EINVAL, #GAN_ESHAPE, #GAN_ENOMEM.
 */
GAN_EXTERN int gan_parzen_select_sigma(double *best_sigma, double *mean_ll,
                                       gan_parzen *p, const float *x, size_t rows,
                                       size_t cols, const double *sigmas, size_t n_sigmas);
/**
 * @brief Mean log-likelihood (mean, n_sigmas) and its standard error
 * (std_error, n_sigmas; may be NULL) of x for every sigma, from one pass
 * over the distances.
 *
 * The same numbers as one gan_parzen_log_likelihood() call per sigma, for
 * one distance product instead of n_sigmas.
 * @param[out] mean      n_sigmas means.
 * @param[out] std_error n_sigmas standard errors, or NULL.
 * @param      p         The estimator.
 * @param      x         rows x cols points.
 * @param      rows      Number of points.
 * @param      cols      The samples' width d.
 * @param      sigmas    n_sigmas window widths (> 0).
 * @param      n_sigmas  Number of sigmas.
 * @return #GAN_OK, #GAN_EINVAL, #GAN_ESHAPE, #GAN_ENOMEM.
 */
GAN_EXTERN int gan_parzen_log_likelihood_sigmas(double *mean, double *std_error, gan_parzen *p,
                                                const float *x, size_t rows, size_t cols,
                                                const double *sigmas, size_t n_sigmas);
/**
 * @brief The paper's grid: n values logspace(-1, 0, n) (n = 10 in the paper).
 * @param[out] out n values.
 * @param      n   Number of values (#GAN_PARZEN_PAPER_GRID_SIZE in the paper).
 * @return #GAN_OK, or #GAN_EINVAL.
 */
GAN_EXTERN int gan_parzen_paper_grid(double *out, size_t n);

/** @} */

/* ------------------------------------------------------------------------ */
/**
 * @defgroup gan_eval Evaluation helpers
 * @brief Nearest neighbours, PNG grids, interpolation and mode coverage.
 * @{
 */

/**
 * @brief For each query row, the index of and squared distance to the
 * nearest reference row. Either output may be NULL.
 * @param[out] index_out q_rows indices into ref, or NULL.
 * @param[out] dist_out  q_rows squared distances, or NULL.
 * @param      queries   q_rows x cols query rows.
 * @param      q_rows    Number of queries.
 * @param      cols      Width of the queries.
 * @param      ref       ref_rows x ref_cols reference rows.
 * @param      ref_rows  Number of reference rows.
 * @param      ref_cols  Width of the reference rows (must equal cols).
 * @return #GAN_OK, #GAN_EINVAL, #GAN_ESHAPE, #GAN_ENOMEM.
 */
GAN_EXTERN int gan_nearest_neighbors(int64_t *index_out, float *dist_out,
                                     const float *queries, size_t q_rows, size_t cols,
                                     const float *ref, size_t ref_rows, size_t ref_cols);
/**
 * @brief Write a PNG grid of grid_rows x grid_cols grey h x w images (values
 * in [0,1], clamped) taken in row order from images.
 *
 * If last_column is not NULL it holds grid_rows more images drawn as an
 * extra, framed column (the paper's nearest-training-example column).
 * Saved atomically like gan_net_save().
 * @param path        Destination file.
 * @param images      grid_rows x grid_cols images of h x w values.
 * @param grid_rows   Rows of the grid.
 * @param grid_cols   Columns of the grid.
 * @param h           Image height.
 * @param w           Image width.
 * @param last_column grid_rows more images, or NULL.
 * @return #GAN_OK, #GAN_EINVAL, #GAN_EIO, #GAN_ENOMEM.
 */
GAN_EXTERN int gan_png_write_grid(const char *path, const float *images,
                                  size_t grid_rows, size_t grid_cols, size_t h, size_t w,
                                  const float *last_column);
/**
 * @brief The same for colour: images holds grid_rows x grid_cols RGB images
 * of h x w pixels, each laid out height x width x 3 (HWC: the three values
 * of a pixel side by side, as gan_dataset_load_png_dir() returns them),
 * values in [0, 1], clamped.
 *
 * Written as an 8-bit RGB PNG; the background, separators and frame are
 * the same greys as gan_png_write_grid()'s.
 * @param path        Destination file.
 * @param images      grid_rows x grid_cols images of h x w x 3 values.
 * @param grid_rows   Rows of the grid.
 * @param grid_cols   Columns of the grid.
 * @param h           Image height.
 * @param w           Image width.
 * @param last_column grid_rows more images, or NULL.
 * @return #GAN_OK, #GAN_EINVAL, #GAN_EIO, #GAN_ENOMEM.
 */
GAN_EXTERN int gan_png_write_grid_rgb(const char *path, const float *images,
                                      size_t grid_rows, size_t grid_cols, size_t h, size_t w,
                                      const float *last_column);
/**
 * @brief The same for channel-major colour images: each image is laid out
 * 3 x h x w (CHW: the red plane, then the green, then the blue, each row
 * by row), as gan_dataset_load_cifar10() returns them and the
 * convolutional layers compute them; values in [0, 1], clamped.
 *
 * The picture is the one gan_png_write_grid_rgb() draws for the same
 * images in HWC layout.
 * @param path        Destination file.
 * @param images      grid_rows x grid_cols images of 3 x h x w values.
 * @param grid_rows   Rows of the grid.
 * @param grid_cols   Columns of the grid.
 * @param h           Image height.
 * @param w           Image width.
 * @param last_column grid_rows more images, or NULL.
 * @return #GAN_OK, #GAN_EINVAL, #GAN_EIO, #GAN_ENOMEM.
 */
GAN_EXTERN int gan_png_write_grid_chw(const char *path, const float *images,
                                      size_t grid_rows, size_t grid_cols, size_t h, size_t w,
                                      const float *last_column);
/**
 * @brief Linear interpolation: out holds (n_anchors - 1) * steps + 1 rows of
 * width cols; segment i goes from anchor i to anchor i+1 in steps steps.
 * @param[out] out       out_rows x cols floats.
 * @param      out_rows  (n_anchors - 1) * steps + 1.
 * @param      anchors   n_anchors x cols anchor rows.
 * @param      n_anchors Number of anchors (>= 2).
 * @param      cols      Width of the rows.
 * @param      steps     Steps per segment (> 0).
 * @return #GAN_OK, #GAN_EINVAL, #GAN_ESHAPE for a wrong out_rows.
 */
GAN_EXTERN int gan_interpolate(float *out, size_t out_rows, const float *anchors,
                               size_t n_anchors, size_t cols, size_t steps);

/** Mode coverage of samples of a toy distribution (gan_toy_coverage()). */
typedef struct gan_coverage {
    uint32_t modes_total;       /**< modes of the toy distribution */
    uint32_t modes_covered;     /**< modes holding at least min_count samples
                                   within 3 std */
    double high_quality_share;  /**< share of samples within 3 std of a mode */
} gan_coverage;

/**
 * @brief How many modes of a toy distribution the samples cover, and the
 * share of samples near a mode.
 * @param[out] out       Receives the coverage.
 * @param      opts      The toy.
 * @param      samples   rows x cols samples.
 * @param      rows      Number of samples.
 * @param      cols      The toy's width.
 * @param      min_count Samples within 3 std a mode needs to count as covered.
 * @return #GAN_OK, #GAN_EINVAL, #GAN_ESHAPE, #GAN_EUNSUPPORTED.
 */
GAN_EXTERN int gan_toy_coverage(gan_coverage *out, const gan_toy_options *opts,
                                const float *samples, size_t rows, size_t cols,
                                size_t min_count);

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* GAN_H */
