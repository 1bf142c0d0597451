"""Low level: every function, struct, enum value and constant of gan.h,
through ctypes, with the same names.

Nothing here is checked beyond what C checks: pass ctypes pointers of the
right type. The layouts, values and prototypes are compared with gan.h and
the C compiler by ``tests/test_lowlevel.py`` (every GAN_EXTERN function must
be bound here, with the argument and return types gan.h gives it).

``lib`` is the ctypes.CDLL; ``library_path`` where it was found. ctypes
releases the GIL during every call.
"""
from ctypes import (CFUNCTYPE, POINTER, Structure, c_char_p, c_double, c_float, c_int,
                    c_int32, c_int64, c_size_t, c_uint, c_uint32, c_uint64, c_void_p)

from . import _loader

lib, library_path = _loader.load()

# ---- constants (#define and enum values of gan.h) --------------------------
GAN_VERSION_MAJOR, GAN_VERSION_MINOR, GAN_VERSION_PATCH = _loader.BINDING_VERSION
GAN_VERSION_STRING = "%d.%d.%d" % _loader.BINDING_VERSION
GAN_VERSION_NUMBER = GAN_VERSION_MAJOR * 10000 + GAN_VERSION_MINOR * 100 + GAN_VERSION_PATCH
GAN_ABI_VERSION = _loader.ABI_VERSION

GAN_OK = 0
GAN_EINVAL = -1
GAN_ENOMEM = -2
GAN_EIO = -3
GAN_EFORMAT = -4
GAN_ESHAPE = -5
GAN_EDIVERGED = -6
GAN_ESTATE = -7
GAN_EUNSUPPORTED = -8
GAN_EABORTED = -9

GAN_LOG_ERROR = 0
GAN_LOG_WARN = 1
GAN_LOG_INFO = 2
GAN_LOG_DEBUG = 3

GAN_RNG_STATE_WORDS = 4

GAN_ACT_IDENTITY = 0
GAN_ACT_RELU = 1
GAN_ACT_LEAKY_RELU = 2
GAN_ACT_TANH = 3
GAN_ACT_SIGMOID = 4

GAN_LAYER_DENSE = 0
GAN_LAYER_MAXOUT = 1
GAN_LAYER_DROPOUT = 2
GAN_LAYER_RESHAPE = 3
GAN_LAYER_CONV2D = 4
GAN_LAYER_DECONV2D = 5
GAN_LAYER_CHANNEL_MAXOUT = 6
GAN_LAYER_MAXPOOL = 7
GAN_LAYER_BATCHNORM = 8
GAN_LAYER_ACTIVATION = 9

GAN_INIT_UNIFORM = 0
GAN_INIT_NORMAL = 1
GAN_INIT_GLOROT_UNIFORM = 2
GAN_INIT_HE_NORMAL = 3

GAN_FORWARD_LOGITS = 1
GAN_BACKWARD_LOGITS = 1
GAN_BACKWARD_ACCUMULATE = 2
GAN_BACKWARD_NO_PARAMS = 4

GAN_OPT_SGD = 0
GAN_OPT_ADAM = 1
GAN_OPTIMIZER_OPTIONS_VERSION = 1

GAN_TOY_GAUSSIAN_1D = 0
GAN_TOY_RING_2D = 1
GAN_TOY_GRID_2D = 2
GAN_TOY_OPTIONS_VERSION = 1

GAN_G_LOSS_NON_SATURATING = 0
GAN_G_LOSS_MINIMAX = 1
GAN_LOSS_D_HALF = 1
GAN_SAMPLE_AVERAGE = 1

GAN_NOISE_UNIFORM = 0
GAN_NOISE_NORMAL = 1
GAN_ORDER_ALTERNATING = 0
GAN_ORDER_SIMULTANEOUS = 1
GAN_SESSION_OPTIONS_VERSION = 3

GAN_PARZEN_PAPER_GRID_SIZE = 10

GAN_RANGE_UNIT = 0
GAN_RANGE_SYMMETRIC = 1
GAN_PNG_ALPHA_DROP = 0
GAN_PNG_ALPHA_KEEP = 1
GAN_PNG_DIR_OPTIONS_VERSION = 1
GAN_CSV_OPTIONS_VERSION = 1
GAN_GCN_OPTIONS_VERSION = 1

GAN_OUTPUT_IDENTITY = 0
GAN_OUTPUT_SYMMETRIC_TO_UNIT = 1
GAN_GENERATOR_OPTIONS_VERSION = 1


# ---- types -----------------------------------------------------------------
class _Opaque(Structure):
    _fields_ = []


class gan_rng(_Opaque): pass
class gan_net(_Opaque): pass
class gan_optimizer(_Opaque): pass
class gan_dataset(_Opaque): pass
class gan_session(_Opaque): pass
class gan_parzen(_Opaque): pass
class gan_generator(_Opaque): pass
class gan_encoder_trainer(_Opaque): pass


class gan_layer_info(Structure):
    _fields_ = [("kind", c_uint32), ("activation", c_uint32), ("in_width", c_uint64),
                ("out_width", c_uint64), ("units", c_uint64), ("pieces", c_uint64),
                ("keep", c_float), ("leaky_slope", c_float), ("param_offset", c_uint64),
                ("num_params", c_uint64)]


class gan_layer_shape(Structure):
    _fields_ = [("in_channels", c_uint64), ("in_height", c_uint64), ("in_width", c_uint64),
                ("out_channels", c_uint64), ("out_height", c_uint64), ("out_width", c_uint64),
                ("kernel", c_uint64), ("stride", c_uint64), ("pad", c_uint64),
                ("out_pad", c_uint64), ("momentum", c_float), ("eps", c_float)]


class gan_optimizer_options(Structure):
    _fields_ = [("version", c_uint), ("kind", c_uint32), ("learning_rate", c_float),
                ("lr_decay", c_float), ("lr_min", c_float), ("momentum", c_float),
                ("momentum_final", c_float), ("momentum_start_epoch", c_uint32),
                ("momentum_saturate_epoch", c_uint32), ("beta1", c_float), ("beta2", c_float),
                ("epsilon", c_float), ("max_norm", c_float)]


class gan_toy_options(Structure):
    _fields_ = [("version", c_uint), ("kind", c_uint32), ("std", c_float), ("mean", c_float),
                ("radius", c_float), ("modes", c_uint32), ("grid_side", c_uint32),
                ("spacing", c_float)]


class gan_png_dir_options(Structure):
    _fields_ = [("version", c_uint), ("alpha", c_uint32), ("labels", c_uint32),
                ("max_files", c_uint32)]


class gan_csv_options(Structure):
    _fields_ = [("version", c_uint), ("header", c_uint32), ("label_column", c_int32),
                ("delimiter", c_uint32)]


class gan_gcn_options(Structure):
    _fields_ = [("version", c_uint), ("scale", c_float), ("subtract_mean", c_uint32),
                ("use_std", c_uint32), ("sqrt_bias", c_float), ("min_divisor", c_float)]


class gan_generator_options(Structure):
    _fields_ = [("version", c_uint), ("noise_kind", c_uint32), ("noise_scale", c_float),
                ("noise_width", c_uint32), ("output_scaling", c_uint32)]


class gan_step_stats(Structure):
    _fields_ = [("d_loss", c_double), ("g_loss", c_double), ("d_real", c_double),
                ("d_fake", c_double)]


class gan_session_options(Structure):
    _fields_ = [("version", c_uint), ("batch_size", c_uint32), ("k", c_uint32),
                ("g_loss", c_uint32), ("noise_kind", c_uint32), ("noise_scale", c_float),
                ("noise_width", c_uint32), ("seed", c_uint64), ("update_order", c_uint32),
                ("d_loss_half", c_uint32), ("threads", c_uint32),
                ("g_average_decay", c_float), ("real_label", c_float),
                ("cond_width", c_uint32), ("d_r1_gamma", c_float)]


class gan_stats(Structure):
    _fields_ = [("iteration", c_uint64), ("epoch", c_uint64), ("d_loss", c_double),
                ("g_loss", c_double), ("d_real", c_double), ("d_fake", c_double),
                ("learning_rate", c_float), ("momentum", c_float)]


class gan_coverage(Structure):
    _fields_ = [("modes_total", c_uint32), ("modes_covered", c_uint32),
                ("high_quality_share", c_double)]


gan_log_fn = CFUNCTYPE(None, c_int, c_char_p, c_void_p)
gan_progress_fn = CFUNCTYPE(c_int, POINTER(gan_stats), c_void_p)

P = POINTER
f32p, f64p, i32p, i64p, u64p, szp = P(c_float), P(c_double), P(c_int32), P(c_int64), P(c_uint64), P(c_size_t)
rngp, netp, optp, dsp, sesp, parp = P(gan_rng), P(gan_net), P(gan_optimizer), P(gan_dataset), P(gan_session), P(gan_parzen)
genp = P(gan_generator)
encp = P(gan_encoder_trainer)
toyp = P(gan_toy_options)
sz, u64, i64, f32, f64, cint, cuint = c_size_t, c_uint64, c_int64, c_float, c_double, c_int, c_uint

# name: (return type, [argument types]) for every GAN_EXTERN function.
FUNCTIONS = {
    "gan_version": (cint, [P(cint), P(cint), P(cint)]),
    "gan_version_string": (c_char_p, []),
    "gan_blas_info": (c_char_p, []),
    "gan_abi_version": (cint, []),
    "gan_strerror": (c_char_p, [cint]),
    "gan_error_last": (c_char_p, []),
    "gan_error_last_code": (cint, []),
    "gan_error_clear": (None, []),
    "gan_log_set_callback": (cint, [gan_log_fn, c_void_p, cint]),
    # rng
    "gan_rng_create": (cint, [P(rngp), u64]),
    "gan_rng_free": (None, [rngp]),
    "gan_rng_seed": (cint, [rngp, u64]),
    "gan_rng_uniform": (cint, [f32p, sz, rngp, f32, f32]),
    "gan_rng_normal": (cint, [f32p, sz, rngp, f32, f32]),
    "gan_rng_int": (cint, [i64p, rngp, i64, i64]),
    "gan_rng_u64": (cint, [u64p, rngp]),
    "gan_rng_get_state": (cint, [u64p, rngp]),
    "gan_rng_set_state": (cint, [rngp, u64p]),
    # net
    "gan_net_create": (cint, [P(netp), sz]),
    "gan_net_free": (None, [netp]),
    "gan_net_add_dense": (cint, [netp, sz, cint]),
    "gan_net_add_maxout": (cint, [netp, sz, sz]),
    "gan_net_add_dropout": (cint, [netp, f32]),
    "gan_net_add_reshape": (cint, [netp, sz, sz, sz]),
    "gan_net_add_conv2d": (cint, [netp, sz, sz, sz, sz, cint]),
    "gan_net_add_deconv2d": (cint, [netp, sz, sz, sz, sz, sz, cint]),
    "gan_net_add_channel_maxout": (cint, [netp, sz]),
    "gan_net_add_maxpool": (cint, [netp, sz, sz, sz]),
    "gan_net_add_batchnorm": (cint, [netp, f32, f32]),
    "gan_net_add_activation": (cint, [netp, cint]),
    "gan_net_set_leaky_slope": (cint, [netp, sz, f32]),
    "gan_net_truncate": (cint, [netp, sz]),
    "gan_net_input_width": (sz, [netp]),
    "gan_net_output_width": (sz, [netp]),
    "gan_net_num_layers": (sz, [netp]),
    "gan_net_num_params": (sz, [netp]),
    "gan_net_layer_info": (cint, [P(gan_layer_info), netp, sz]),
    "gan_net_layer_shape": (cint, [P(gan_layer_shape), netp, sz]),
    "gan_net_init": (cint, [netp, rngp, cint, f32]),
    "gan_net_init_layer": (cint, [netp, sz, rngp, cint, f32]),
    "gan_net_set_bias": (cint, [netp, sz, f32p, sz]),
    "gan_net_init_output_bias_from_mean": (cint, [netp, f32p, sz]),
    "gan_net_get_params": (cint, [f32p, sz, netp]),
    "gan_net_set_params": (cint, [netp, f32p, sz]),
    "gan_net_get_grads": (cint, [f32p, sz, netp]),
    "gan_net_forward": (cint, [f32p, sz, netp, f32p, sz, sz, cuint]),
    "gan_net_train_forward": (cint, [netp, rngp, f32p, sz, sz]),
    "gan_net_train_output": (cint, [P(f32p), szp, szp, netp, cuint]),
    "gan_net_backward": (cint, [f32p, netp, f32p, sz, sz, cuint]),
    "gan_net_save": (cint, [netp, c_char_p]),
    "gan_net_load": (cint, [P(netp), c_char_p]),
    # optimizer
    "gan_optimizer_options_init": (cint, [P(gan_optimizer_options), cuint]),
    "gan_optimizer_create": (cint, [P(optp), netp, P(gan_optimizer_options)]),
    "gan_optimizer_free": (None, [optp]),
    "gan_optimizer_step": (cint, [optp]),
    "gan_optimizer_set_epoch": (cint, [optp, u64]),
    "gan_optimizer_learning_rate": (f32, [optp]),
    "gan_optimizer_momentum": (f32, [optp]),
    "gan_optimizer_steps": (u64, [optp]),
    "gan_optimizer_state_size": (sz, [optp]),
    "gan_optimizer_get_state": (cint, [c_void_p, sz, optp]),
    "gan_optimizer_set_state": (cint, [optp, c_void_p, sz]),
    # dataset
    "gan_dataset_create": (cint, [P(dsp), f32p, sz, sz]),
    "gan_dataset_load_idx": (cint, [P(dsp), c_char_p, c_char_p]),
    "gan_dataset_subset": (cint, [P(dsp), dsp, sz, sz]),
    "gan_dataset_free": (None, [dsp]),
    "gan_dataset_rows": (sz, [dsp]),
    "gan_dataset_cols": (sz, [dsp]),
    "gan_dataset_data": (f32p, [dsp]),
    "gan_dataset_labels": (i32p, [dsp]),
    "gan_dataset_column_mean": (cint, [f32p, sz, dsp]),
    "gan_dataset_next_batch": (cint, [f32p, i32p, szp, dsp, rngp, sz]),
    "gan_dataset_epoch": (u64, [dsp]),
    "gan_dataset_rewind": (cint, [dsp]),
    # own data
    "gan_png_dir_options_init": (cint, [P(gan_png_dir_options), cuint]),
    "gan_dataset_load_png_dir": (cint, [P(dsp), c_char_p, P(gan_png_dir_options)]),
    "gan_dataset_load_npy": (cint, [P(dsp), c_char_p]),
    "gan_csv_options_init": (cint, [P(gan_csv_options), cuint]),
    "gan_dataset_load_csv": (cint, [P(dsp), c_char_p, P(gan_csv_options)]),
    "gan_dataset_load_cifar10": (cint, [P(dsp), P(c_char_p), sz]),
    "gan_scale": (cint, [f32p, sz, cint, cint]),
    "gan_dataset_scale": (cint, [P(dsp), dsp, cint, cint]),
    "gan_dataset_append_onehot": (cint, [P(dsp), dsp, c_uint32]),
    "gan_dataset_append_masked": (cint, [P(dsp), dsp, f32p, sz]),
    "gan_gcn_options_init": (cint, [P(gan_gcn_options), cuint]),
    "gan_gcn": (cint, [f32p, sz, sz, P(gan_gcn_options)]),
    "gan_dataset_gcn": (cint, [P(dsp), dsp, P(gan_gcn_options)]),
    # toy
    "gan_toy_options_init": (cint, [toyp, cuint]),
    "gan_toy_width": (sz, [toyp]),
    "gan_toy_num_modes": (sz, [toyp]),
    "gan_toy_centers": (cint, [f32p, sz, toyp]),
    "gan_toy_sample": (cint, [f32p, sz, sz, toyp, rngp]),
    "gan_toy_density": (cint, [f64p, toyp, f32p, sz, sz]),
    "gan_toy_assign": (cint, [i32p, f32p, toyp, f32p, sz, sz]),
    "gan_dataset_create_toy": (cint, [P(dsp), toyp, sz, rngp]),
    # losses and steps
    "gan_loss_d": (cint, [f64p, f32p, f32p, f32p, sz, f32p, sz, cuint]),
    "gan_loss_d_smoothed": (cint, [f64p, f32p, f32p, f32p, sz, f32p, sz, cuint, c_float]),
    "gan_loss_g": (cint, [f64p, f32p, f32p, sz, cint]),
    "gan_loss_softmax_cross_entropy": (cint, [f64p, f32p, f32p, sz, sz, i32p]),
    "gan_softmax": (cint, [f32p, f32p, sz, sz]),
    "gan_update_d": (cint, [P(gan_step_stats), netp, optp, rngp, f32p, f32p, sz, sz, cuint]),
    "gan_update_g": (cint, [P(gan_step_stats), netp, optp, netp, rngp, f32p, sz, sz, cint]),
    # session
    "gan_session_options_init": (cint, [P(gan_session_options), cuint]),
    "gan_session_create": (cint, [P(sesp), netp, netp, optp, optp, dsp, P(gan_session_options)]),
    "gan_session_free": (None, [sesp]),
    "gan_session_step": (cint, [P(gan_stats), sesp]),
    "gan_session_train": (cint, [sesp, u64, gan_progress_fn, c_void_p]),
    "gan_session_train_epochs": (cint, [sesp, u64, gan_progress_fn, c_void_p]),
    "gan_session_interrupt": (cint, [sesp]),
    "gan_session_iteration": (u64, [sesp]),
    "gan_session_epoch": (u64, [sesp]),
    "gan_session_noise": (cint, [f32p, sz, sz, sesp]),
    "gan_session_sample": (cint, [f32p, sz, sz, sesp, f32p]),
    "gan_session_average_net": (cint, [P(netp), sesp]),
    "gan_session_sample_average": (cint, [f32p, sz, sz, sesp, f32p]),
    "gan_session_sample_cond": (cint, [f32p, sz, sz, sesp, f32p, f32p, cuint]),
    "gan_session_save": (cint, [sesp, c_char_p]),
    "gan_session_load": (cint, [sesp, c_char_p]),
    # generator files
    "gan_generator_options_init": (cint, [P(gan_generator_options), cuint]),
    "gan_generator_options_from_session": (cint, [P(gan_generator_options), P(gan_session_options)]),
    "gan_generator_create": (cint, [P(genp), netp, P(gan_generator_options)]),
    "gan_generator_free": (None, [genp]),
    "gan_generator_save": (cint, [genp, c_char_p]),
    "gan_generator_save_net": (cint, [netp, P(gan_generator_options), c_char_p]),
    "gan_generator_load": (cint, [P(genp), c_char_p]),
    "gan_generator_net": (netp, [genp]),
    "gan_generator_get_options": (cint, [P(gan_generator_options), genp]),
    "gan_generator_noise_width": (sz, [genp]),
    "gan_generator_output_width": (sz, [genp]),
    "gan_generator_noise": (cint, [f32p, sz, sz, genp, rngp]),
    "gan_generator_forward": (cint, [f32p, sz, sz, genp, f32p, sz]),
    "gan_generator_sample": (cint, [f32p, sz, sz, genp, rngp]),
    # encoder (learned approximate inference)
    "gan_encoder_trainer_create": (cint, [P(encp), netp, optp, genp, sz, u64]),
    "gan_encoder_trainer_free": (None, [encp]),
    "gan_encoder_trainer_step": (cint, [f64p, encp]),
    # parzen
    "gan_parzen_create": (cint, [P(parp), f32p, sz, sz]),
    "gan_parzen_free": (None, [parp]),
    "gan_parzen_set_block_rows": (cint, [parp, sz]),
    "gan_parzen_log_likelihood": (cint, [f64p, f64p, f64p, parp, f32p, sz, sz, f64]),
    "gan_parzen_select_sigma": (cint, [f64p, f64p, parp, f32p, sz, sz, f64p, sz]),
    "gan_parzen_log_likelihood_sigmas": (cint, [f64p, f64p, parp, f32p, sz, sz, f64p, sz]),
    "gan_parzen_paper_grid": (cint, [f64p, sz]),
    # evaluation
    "gan_nearest_neighbors": (cint, [i64p, f32p, f32p, sz, sz, f32p, sz, sz]),
    "gan_png_write_grid": (cint, [c_char_p, f32p, sz, sz, sz, sz, f32p]),
    "gan_png_write_grid_rgb": (cint, [c_char_p, f32p, sz, sz, sz, sz, f32p]),
    "gan_png_write_grid_chw": (cint, [c_char_p, f32p, sz, sz, sz, sz, f32p]),
    "gan_interpolate": (cint, [f32p, sz, f32p, sz, sz, sz]),
    "gan_toy_coverage": (cint, [P(gan_coverage), toyp, f32p, sz, sz, sz]),
}


def _bind():
    missing = []
    g = globals()
    for name, (res, args) in FUNCTIONS.items():
        try:
            fn = getattr(lib, name)
        except AttributeError:
            missing.append(name)
            continue
        fn.restype = res
        fn.argtypes = args
        g[name] = fn
    if missing:
        raise ImportError("libgan: %s lacks %s; it does not match this binding (rebuild libgan "
                          "from the same source)" % (library_path, ", ".join(missing)))


_bind()
del _bind
